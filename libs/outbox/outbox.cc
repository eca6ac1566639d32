#include "libs/outbox/outbox.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/status_macros.h"
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
// One statement for all of a pass's deliveries: a round trip per row would cap the drain again.
constexpr Statement kDelivered{"outbox.delivered",
                               "UPDATE outbox SET delivered_at = now(), attempts = attempts + 1,"
                               " last_error = NULL WHERE id = ANY($1::bigint[])"};
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

// What an on-call person watches: the backlog, its oldest command and the parked ones. Both
// counts read partial indexes, never the delivered rows.
constexpr Statement kBacklog{
    "outbox.backlog",
    "SELECT (SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL),"
    " (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox"
    "  WHERE delivered_at IS NULL AND failed_at IS NULL),"
    " (SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL)"};

// Codes that retrying can change: the receiver or the network is away, or busy.
bool Retryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnauthenticated:  // a proof rotation in progress
      return true;
    default:
      return false;
  }
}

// A due row, read before anything is sent.
struct Due {
  int64_t id;
  int attempts;
  double age;
  Command command;
};

// Sends `due` with at most `window` answers outstanding and returns the answers in the same
// order. Answers arrive on the sender's threads; everything else, including the caller's
// connection, stays on this thread.
std::vector<absl::Status> SendAll(CommandSender& sender, const std::vector<Due>& due, int window) {
  struct Answers {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<size_t, absl::Status>> ready;
  };
  // Shared with the callbacks, so a late callback never touches a finished pass's stack.
  auto answers = std::make_shared<Answers>();
  std::vector<absl::Status> results(due.size());
  size_t next = 0, answered = 0;
  int in_flight = 0;
  window = std::max(window, 1);
  while (answered < due.size()) {
    while (next < due.size() && in_flight < window) {
      const size_t i = next++;
      ++in_flight;
      sender.Send(due[i].command, [answers, i](absl::Status st) {
        std::lock_guard<std::mutex> lock(answers->mu);
        answers->ready.emplace_back(i, std::move(st));
        answers->cv.notify_one();
      });
    }
    std::vector<std::pair<size_t, absl::Status>> ready;
    {
      std::unique_lock<std::mutex> lock(answers->mu);
      answers->cv.wait(lock, [&] { return !answers->ready.empty(); });
      ready.swap(answers->ready);
    }
    for (auto& [i, st] : ready) {
      results[i] = std::move(st);
      ++answered;
      --in_flight;
    }
  }
  return results;
}

}  // namespace

absl::Status Enqueue(db::Connection& conn, const Command& c) {
  return conn
      .Exec(kEnqueue, {c.command_id, c.target, c.method, Param::Bytes(c.payload), c.ordering_key})
      .status();
}

Dispatcher::Dispatcher(db::Pool& pool, DispatcherOptions options,
                       std::unique_ptr<CommandSender> sender, prometheus::Registry* metrics)
    : pool_(pool), options_(std::move(options)), sender_(std::move(sender)) {
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
  pending_ = &prometheus::BuildGauge()
                  .Name("zhigai_outbox_pending_commands")
                  .Help("Commands written and not yet delivered (retries included)")
                  .Register(*metrics)
                  .Add({});
  oldest_age_ = &prometheus::BuildGauge()
                     .Name("zhigai_outbox_oldest_pending_age_seconds")
                     .Help("Age of the oldest command not yet delivered (0: none)")
                     .Register(*metrics)
                     .Add({});
  parked_ = &prometheus::BuildGauge()
                 .Name("zhigai_outbox_parked_commands")
                 .Help("Commands their receiver refused for good, waiting for an operator")
                 .Register(*metrics)
                 .Add({});
}

absl::Status Dispatcher::MeasureBacklog() {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kBacklog));
  if (pending_) {
    pending_->Set(static_cast<double>(r.Int64(0, 0)));
    oldest_age_->Set(std::strtod(r.String(0, 1).c_str(), nullptr));
    parked_->Set(static_cast<double>(r.Int64(0, 2)));
  }
  return absl::OkStatus();
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

absl::StatusOr<int> Dispatcher::DeliverDue() {
  int delivered = 0;
  absl::Status s = pool_.Transaction([&](db::Connection& c) -> absl::Status {
    delivered = 0;
    auto rows = c.Exec(kDue, {options_.batch});
    if (!rows.ok()) return rows.status();
    // kDue returns only the oldest pending command of each ordering key, so a pass holds at
    // most one per key and the next of a key is read only after this pass has committed: the
    // window never has two of one key in flight. A key seen twice (it cannot be, short of a
    // change to kDue) waits for the next pass rather than risk overtaking.
    std::set<std::string> keys;
    std::vector<Due> due;
    for (int i = 0; i < rows->rows(); ++i) {
      std::string key = rows->String(i, 7);
      if (!key.empty() && !keys.insert(key).second) continue;
      due.push_back({rows->Int64(i, 0), static_cast<int>(rows->Int64(i, 5)),
                     std::strtod(rows->String(i, 6).c_str(), nullptr),
                     Command{rows->String(i, 1), rows->String(i, 2), rows->String(i, 3),
                             db::DecodeBytea(rows->Text(i, 4)), std::move(key)}});
    }
    if (due.empty()) return absl::OkStatus();
    // The rows stay locked (FOR UPDATE) until the outcomes below commit with them: another
    // replica skips them, and a crash before the commit only repeats sends that the receivers
    // recognise by command id.
    std::vector<absl::Status> results = SendAll(*sender_, due, options_.max_in_flight);
    std::vector<std::string> done_ids;
    for (size_t i = 0; i < due.size(); ++i) {
      const Due& d = due[i];
      const absl::Status& result = results[i];
      if (result.ok() || result.code() == absl::StatusCode::kAlreadyExists) {
        // ALREADY_EXISTS: the receiver holds the effect already (e.g. admitted by another path).
        done_ids.push_back(absl::StrCat(d.id));
        if (latency_) latency_->Observe(d.age);
        continue;
      }
      absl::Status written;
      if (Retryable(result.code())) {
        double backoff = std::min(absl::ToDoubleSeconds(options_.max_backoff),
                                  0.2 * static_cast<double>(1 << std::min(d.attempts, 12)));
        written =
            c.Exec(kRetry, {d.id, std::string(result.message()), absl::StrCat(backoff)}).status();
        if (retried_) retried_->Increment();
      } else {
        written =
            c.Exec(kFailed,
                   {d.id, absl::StrCat(static_cast<int>(result.code()), ": ", result.message())})
                .status();
        if (failed_) failed_->Increment();
        log::Error("outbox command refused by its receiver; not retried",
                   {{"command_id", d.command.command_id},
                    {"method", d.command.method},
                    {"error", std::string(result.message())}});
      }
      if (!written.ok()) return written;
    }
    if (!done_ids.empty()) {
      ASSIGN_OR_RETURN(auto written,
                       c.Exec(kDelivered, {absl::StrCat("{", absl::StrJoin(done_ids, ","), "}")}));
      delivered = static_cast<int>(done_ids.size());
      if (delivered_) delivered_->Increment(delivered);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return delivered;
}

absl::StatusOr<OutboxCounts> Dispatcher::Counts() {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kCounts));
  return OutboxCounts{r.Int64(0, 0), r.Int64(0, 1), r.Int64(0, 2)};
}

void Dispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  absl::Time next_measure = absl::InfinitePast();
  while (!stop_) {
    wake_ = false;
    lock.unlock();
    if (pending_ && absl::Now() >= next_measure) {
      next_measure = absl::Now() + kMeasureEvery;
      if (absl::Status s = MeasureBacklog(); !s.ok()) {
        log::Warn("outbox backlog not measured", {{"error", std::string(s.message())}});
      }
    }
    auto n = DeliverDue();
    if (!n.ok()) log::Warn("outbox pass failed", {{"error", std::string(n.status().message())}});
    bool full = n.ok() && *n >= options_.batch;
    lock.lock();
    if (stop_) break;
    if (!full && !wake_) cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.poll));
  }
}

}  // namespace zhigai::outbox
