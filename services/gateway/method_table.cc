#include "services/gateway/method_table.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/server/grpc_status.h"

namespace zhigai::gateway {
namespace {

prometheus::Counter* CounterFor(std::array<std::atomic<prometheus::Counter*>, 17>& slots,
                                prometheus::Family<prometheus::Counter>* family, int code,
                                const std::string& method, const std::string& backend) {
  if (code < 0 || code > 16) code = 2;
  prometheus::Counter* c = slots[code].load(std::memory_order_acquire);
  if (!c) {
    // Family::Add returns the same series for the same labels, so a race only repeats work.
    c = &family->Add(
        {{"method", method}, {"code", server::GrpcCodeName(code)}, {"backend", backend}});
    slots[code].store(c, std::memory_order_release);
  }
  return c;
}

}  // namespace

Backend::Backend() = default;
Backend::~Backend() = default;

bool MethodInfo::unary() const {
  return descriptor && !descriptor->client_streaming() && !descriptor->server_streaming();
}

Metrics::Metrics(prometheus::Registry* registry) {
  if (!registry) return;
  calls_ = &prometheus::BuildCounter()
                .Name("zhigai_gateway_calls_total")
                .Help("Calls through the gateway by method, final code and backend")
                .Register(*registry);
  latency_ = &prometheus::BuildHistogram()
                  .Name("zhigai_gateway_call_seconds")
                  .Help("Call latency through the gateway by method and backend")
                  .Register(*registry);
}

prometheus::Histogram* Metrics::NewLatency(const std::string& method, const std::string& backend) {
  if (!latency_) return nullptr;
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return &latency_->Add({{"method", method}, {"backend", backend}}, kBuckets);
}

void Metrics::Record(MethodInfo* m, int code, double seconds) {
  if (!calls_) return;
  CounterFor(m->calls, calls_, code, m->label, m->backend ? m->backend->name : "-")->Increment();
  if (m->latency) m->latency->Observe(seconds);
}

void Metrics::RecordUnknown(int code) {
  if (!calls_) return;
  CounterFor(unknown_, calls_, code, "unknown", "-")->Increment();
}

absl::StatusOr<std::unique_ptr<MethodTable>> MethodTable::Build(const Policy& policy,
                                                                const BackendOptions& options,
                                                                Metrics& metrics) {
  auto table = std::make_unique<MethodTable>();
  for (const auto& [package, address] : options.addresses) {
    auto b = std::make_unique<Backend>();
    std::vector<std::string> parts = absl::StrSplit(package, '.');
    b->name = parts.size() >= 2 ? parts[1] : package;
    b->address = address;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    // A backend that went away is retried quickly once it returns; while it is away, calls
    // fail at once with UNAVAILABLE (no wait_for_ready).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    b->channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    b->stub = std::make_unique<grpc::GenericStub>(b->channel);
    table->backends_[package] = std::move(b);
  }
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& path : policy.Methods()) {
    auto m = std::make_unique<MethodInfo>();
    m->path = path;
    m->label = path.substr(1);
    m->roles = policy.RolesFor(path);
    std::pair<std::string, std::string> sm = absl::StrSplit(m->label, '/');
    std::string service = sm.first;
    std::string package = service.substr(0, service.rfind('.'));
    if (auto it = table->backends_.find(package); it != table->backends_.end()) {
      m->backend = it->second.get();
    }
    m->descriptor = pool->FindMethodByName(absl::StrCat(service, ".", sm.second));
    m->latency = metrics.NewLatency(m->label, m->backend ? m->backend->name : "-");
    table->methods_[path] = std::move(m);
  }
  return table;
}

MethodInfo* MethodTable::Find(absl::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : it->second.get();
}

}  // namespace zhigai::gateway
