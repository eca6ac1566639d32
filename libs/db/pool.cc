#include "libs/db/pool.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/db/errors.h"
#include "libs/db/metrics.h"

namespace zhigai::db {

Lease::~Lease() {
  if (pool_ && conn_) pool_->Return(std::move(conn_));
}

Pool::Pool(PoolOptions options, prometheus::Registry* registry)
    : options_(std::move(options)), metrics_(std::make_unique<StatementMetrics>(registry)) {
  metrics_->SetPool(0, 0, options_.size);
}

Pool::~Pool() = default;

absl::StatusOr<Lease> Pool::Acquire() {
  auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = start + absl::ToChronoNanoseconds(options_.acquire_timeout);
  while (idle_.empty() && open_ >= options_.size) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      return absl::UnavailableError(absl::StrCat("database: no pooled connection free within ",
                                                 absl::FormatDuration(options_.acquire_timeout),
                                                 " (pool size ", options_.size, ")"));
    }
  }
  metrics_->ObserveWait(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    ++busy_;
    metrics_->SetPool(busy_, static_cast<int>(idle_.size()), options_.size);
    return Lease(this, std::move(conn));
  }
  ++open_;
  ++busy_;
  lock.unlock();
  // Connect outside the lock: a slow or down server must not block other borrowers.
  auto conn = Connection::Open(options_.conninfo, metrics_.get());
  if (!conn.ok()) {
    std::lock_guard<std::mutex> relock(mu_);
    --open_;
    --busy_;
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(*conn));
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  --busy_;
  if (conn->healthy()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;  // dropped; the next Acquire opens a fresh one
  }
  metrics_->SetPool(busy_, static_cast<int>(idle_.size()), options_.size);
  cv_.notify_one();
}

absl::Status Pool::Transaction(const std::function<absl::Status(Connection&)>& fn,
                               Isolation isolation) {
  const char* begin = isolation == Isolation::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                      : isolation == Isolation::kRepeatableRead
                          ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                          : "BEGIN";
  absl::Status last;
  for (int attempt = 1; attempt <= options_.max_transaction_attempts; ++attempt) {
    ASSIGN_OR_RETURN(auto lease, Acquire());
    Connection& conn = *lease;
    last = conn.ExecScript(begin);
    if (last.ok()) last = fn(conn);
    if (last.ok()) {
      // A failure here is ambiguous (the commit may have landed), so it is never retried.
      return conn.ExecScript("COMMIT");
    }
    if (conn.healthy()) (void)conn.ExecScript("ROLLBACK");
    bool again = IsRetryable(last) || IsConnectionLost(last);
    if (!again) return last;
  }
  if (IsRetryable(last)) {
    return absl::AbortedError(absl::StrCat("database: transaction kept conflicting after ",
                                           options_.max_transaction_attempts,
                                           " attempts; retry the call: ", last.message()));
  }
  return last;
}

absl::StatusOr<Result> Pool::Exec(const Statement& statement, const Params& params) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSIGN_OR_RETURN(auto lease, Acquire());
    auto r = (lease)->Exec(statement, params);
    // A read on a connection that died (server restart) is safe to run once more.
    if (r.ok() || !IsConnectionLost(r.status())) return r;
    if (attempt == 1) return r;
  }
  return absl::InternalError("unreachable");
}

absl::Status Pool::Ping() {
  static constexpr Statement kPing{"db.ping", "SELECT 1", 1000};
  return Exec(kPing).status();
}

}  // namespace zhigai::db
