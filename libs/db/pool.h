#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"

namespace prometheus {
class Registry;
}

namespace zhigai::db {

class Pool;

// A connection borrowed from the pool; returned (or dropped when broken) on destruction.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  ~Lease();
  Connection* operator->() { return conn_.get(); }
  Connection& operator*() { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct PoolOptions {
  std::string conninfo;
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(2);
  int max_transaction_attempts = 5;
};

// A fixed-size pool of libpq connections, opened lazily and replaced when lost.
class Pool {
 public:
  Pool(PoolOptions options, prometheus::Registry* registry = nullptr);
  ~Pool();

  absl::StatusOr<Lease> Acquire();

  // Runs fn inside BEGIN/COMMIT. A serialization failure or deadlock runs fn again with a
  // fresh transaction (bounded attempts); so does a connection lost before COMMIT was sent.
  // Any error from fn rolls back: nothing is written when a call fails.
  absl::Status Transaction(const std::function<absl::Status(Connection&)>& fn,
                           Isolation isolation = Isolation::kReadCommitted);

  // One statement outside an explicit transaction (reads).
  absl::StatusOr<Result> Exec(const Statement& statement, const Params& params = {});

  // SELECT 1 on a pooled connection: readiness probes use it.
  absl::Status Ping();
  const PoolOptions& options() const { return options_; }

 private:
  friend class Lease;
  void Return(std::unique_ptr<Connection> conn);

  PoolOptions options_;
  std::unique_ptr<StatementMetrics> metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections handed out or idle
  int busy_ = 0;
};

}  // namespace zhigai::db
