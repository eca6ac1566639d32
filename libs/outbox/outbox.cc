#include "libs/outbox/outbox.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <future>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/db/params.h"
#include "libs/server/log.h"

namespace zhigai::outbox {
namespace {

using db::Param;
using db::Statement;

constexpr Statement kEnqueue{
    "outbox.enqueue",
    "INSERT INTO outbox (command_id, target, method, payload, ordering_key)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (command_id) DO NOTHING"};
constexpr Statement kDue{
    "outbox.due",
    "SELECT id, command_id, target, method, payload, attempts,"
    " extract(epoch FROM now() - created_at), ordering_key FROM outbox o"
    " WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()"
    " AND (ordering_key = '' OR NOT EXISTS (SELECT 1 FROM outbox e"
    "      WHERE e.ordering_key = o.ordering_key AND e.id < o.id"
    "      AND e.delivered_at IS NULL AND e.failed_at IS NULL))"
    " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"};
constexpr Statement kDelivered{"outbox.delivered",
                               "UPDATE outbox SET delivered_at = now(), attempts = attempts + 1,"
                               " last_error = NULL WHERE id = $1"};
constexpr Statement kRetry{
    "outbox.retry",
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
    " next_attempt_at = now() + make_interval(secs => $3::float8) WHERE id = $1"};
constexpr Statement kFailed{"outbox.failed",
                            "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
                            " failed_at = now() WHERE id = $1"};
constexpr Statement kCounts{
    "outbox.counts",
    "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),"
    " count(*) FILTER (WHERE delivered_at IS NOT NULL), count(*) FILTER (WHERE failed_at IS NOT "
    "NULL)"
    " FROM outbox"};

// Codes that retrying can change: the receiver or the network is away, or busy.
bool Retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNAUTHENTICATED:  // a proof rotation in progress
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status Enqueue(db::Connection& conn, const Command& c) {
  return conn
      .Exec(kEnqueue, {c.command_id, c.target, c.method, Param::Bytes(c.payload), c.ordering_key})
      .status();
}

Dispatcher::Dispatcher(db::Pool& pool, DispatcherOptions options, prometheus::Registry* metrics)
    : pool_(pool), options_(std::move(options)) {
  if (!metrics) return;
  auto& commands = prometheus::BuildCounter()
                       .Name("zhigai_outbox_commands_total")
                       .Help("Outbox delivery attempts by outcome")
                       .Register(*metrics);
  delivered_ = &commands.Add({{"outcome", "delivered"}});
  retried_ = &commands.Add({{"outcome", "retry"}});
  failed_ = &commands.Add({{"outcome", "failed"}});
  latency_ = &prometheus::BuildHistogram()
                  .Name("zhigai_outbox_delivery_seconds")
                  .Help("Time from enqueue to acknowledged delivery")
                  .Register(*metrics)
                  .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1,
                                                                   0.5, 1, 5, 30, 120, 600});
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stop_) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Dispatcher::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<grpc::Channel> Dispatcher::ChannelFor(const std::string& target) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(target);
  if (it != channels_.end()) return it->second;
  auto peer = options_.peers.find(target);
  if (peer == options_.peers.end()) return nullptr;
  auto channel = grpc::CreateChannel(peer->second, grpc::InsecureChannelCredentials());
  channels_[target] = channel;
  return channel;
}

absl::StatusOr<int> Dispatcher::DeliverDue() {
  int delivered = 0;
  absl::Status s = pool_.Transaction([&](db::Connection& c) -> absl::Status {
    delivered = 0;
    auto due = c.Exec(kDue, {options_.batch});
    if (!due.ok()) return due.status();
    std::set<std::string> held;  // ordering keys whose earlier command is still pending
    for (int i = 0; i < due->rows(); ++i) {
      std::string key = due->String(i, 7);
      if (!key.empty() && held.count(key)) continue;
      int64_t id = due->Int64(i, 0);
      std::string target = due->String(i, 2), method = due->String(i, 3);
      int attempts = static_cast<int>(due->Int64(i, 5));
      double age = std::strtod(due->String(i, 6).c_str(), nullptr);
      std::string payload = db::DecodeBytea(due->Text(i, 4));
      auto channel = ChannelFor(target);
      grpc::Status result;
      if (!channel) {
        result = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              absl::StrCat("no address configured for peer '", target, "'"));
      } else {
        grpc::GenericStub stub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(options_.call_timeout));
        ctx.set_wait_for_ready(false);
        ctx.AddMetadata(auth::kPrincipalHeader,
                        auth::EncodePrincipal({auth::Role::kService, options_.service, "", ""}));
        ctx.AddMetadata(auth::kInternalProofHeader, options_.internal_proof);
        ctx.AddMetadata(auth::kRequestIdHeader, due->String(i, 1));
        grpc::Slice slice(payload);
        grpc::ByteBuffer request(&slice, 1), response;
        std::promise<grpc::Status> done;
        stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                       [&done](grpc::Status st) { done.set_value(std::move(st)); });
        result = done.get_future().get();
      }
      absl::Status written;
      if (result.ok() || result.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        // ALREADY_EXISTS: the receiver holds the effect already (e.g. admitted by another path).
        written = c.Exec(kDelivered, {id}).status();
        ++delivered;
        if (delivered_) delivered_->Increment();
        if (latency_) latency_->Observe(age);
      } else if (Retryable(result.error_code())) {
        double backoff = std::min(absl::ToDoubleSeconds(options_.max_backoff),
                                  0.2 * static_cast<double>(1 << std::min(attempts, 12)));
        written = c.Exec(kRetry, {id, result.error_message(), absl::StrCat(backoff)}).status();
        if (retried_) retried_->Increment();
        if (!key.empty()) held.insert(key);
      } else {
        written =
            c.Exec(kFailed, {id, absl::StrCat(result.error_code(), ": ", result.error_message())})
                .status();
        if (failed_) failed_->Increment();
        log::Error("outbox command refused by its receiver; not retried",
                   {{"command_id", due->String(i, 1)},
                    {"method", method},
                    {"error", result.error_message()}});
      }
      if (!written.ok()) return written;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return delivered;
}

absl::StatusOr<OutboxCounts> Dispatcher::Counts() {
  auto r = pool_.Exec(kCounts);
  if (!r.ok()) return r.status();
  return OutboxCounts{r->Int64(0, 0), r->Int64(0, 1), r->Int64(0, 2)};
}

void Dispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_ = false;
    lock.unlock();
    auto n = DeliverDue();
    if (!n.ok()) log::Warn("outbox pass failed", {{"error", std::string(n.status().message())}});
    bool full = n.ok() && *n >= options_.batch;
    lock.lock();
    if (stop_) break;
    if (!full && !wake_) cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.poll));
  }
}

}  // namespace zhigai::outbox
