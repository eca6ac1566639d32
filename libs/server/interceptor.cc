#include "libs/server/interceptor.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/principal.h"
#include "libs/server/grpc_status.h"
#include "libs/server/log.h"

namespace zhigai::server {
namespace {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x%016x", rng(), rng());
}

struct Metrics {
  prometheus::Family<prometheus::Counter>* handled = nullptr;
  prometheus::Family<prometheus::Histogram>* latency = nullptr;

  // Family::Add is thread-safe and returns the same child for the same labels; a per-thread
  // memo of the children keeps the hot path free of locks and label hashing.
  void Record(const std::string& method, grpc::StatusCode code, double seconds) {
    if (!handled) return;
    thread_local std::map<std::pair<const Metrics*, std::string>, prometheus::Histogram*> hist;
    thread_local std::map<std::tuple<const Metrics*, std::string, int>, prometheus::Counter*> count;
    auto& h = hist[{this, method}];
    if (!h) {
      h = &latency->Add({{"grpc_method", method}},
                        prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001,
                                                                0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    }
    auto& c = count[{this, method, static_cast<int>(code)}];
    if (!c)
      c = &handled->Add(
          {{"grpc_method", method}, {"grpc_code", GrpcCodeName(static_cast<int>(code))}});
    h->Observe(seconds);
    c->Increment();
  }
};

class ObservabilityInterceptor : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics* metrics)
      : method_(info->method()), metrics_(metrics), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using H = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(H::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      auto it = md->find(auth::kRequestIdHeader);
      if (it != md->end() && it->second.size() > 0 && it->second.size() <= 128) {
        request_id_.assign(it->second.data(), it->second.size());
      } else {
        if (it != md->end()) md->erase(it);
        request_id_ = NewRequestId();
        // The string lives in this interceptor, which lives as long as the call.
        md->emplace(grpc::string_ref(auth::kRequestIdHeader), grpc::string_ref(request_id_));
      }
    }
    if (methods->QueryInterceptionHookPoint(H::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(auth::kRequestIdHeader, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(H::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_request_ = true;
    }
    if (methods->QueryInterceptionHookPoint(H::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // gRPC answers a request it cannot parse (e.g. a string field holding invalid UTF-8) with
      // a bare INTERNAL; to the caller that is bad input.
      if (unparsable_request_ && status.error_code() == grpc::StatusCode::INTERNAL) {
        status = UnparsableRequest();
        methods->ModifySendStatus(status);
      }
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->Record(method_, status.error_code(), seconds);
      log::Level level = status.ok() ? log::Level::kInfo
                         : status.error_code() == grpc::StatusCode::INTERNAL ||
                                 status.error_code() == grpc::StatusCode::UNKNOWN
                             ? log::Level::kError
                             : log::Level::kWarn;
      if (!log::Enabled(level)) {
        methods->Proceed();
        return;
      }
      log::Write(level, "rpc",
                 {{"method", method_},
                  {"code", GrpcCodeName(status.error_code())},
                  {"ms", absl::StrFormat("%.3f", seconds * 1000)},
                  {"request_id", request_id_},
                  {"error", status.error_message()}});
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  Metrics* metrics_;
  std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  bool unparsable_request_ = false;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(prometheus::Registry* registry) {
    if (!registry) return;
    metrics_.handled = &prometheus::BuildCounter()
                            .Name("grpc_server_handled_total")
                            .Help("RPCs completed, by method and status code")
                            .Register(*registry);
    metrics_.latency = &prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("RPC latency by method")
                            .Register(*registry);
  }
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, &metrics_);
  }

 private:
  Metrics metrics_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeObservabilityInterceptor(
    prometheus::Registry* registry) {
  return std::make_unique<Factory>(registry);
}

}  // namespace zhigai::server
