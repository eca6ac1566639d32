#pragma once

#include <memory>
#include <string>
#include <unordered_set>

#include "absl/status/statusor.h"
#include "libs/db/params.h"
#include "libs/db/result.h"
#include "libs/db/statement.h"

struct pg_conn;

namespace zhigai::db {

class StatementMetrics;

// One libpq connection. Statements are prepared on first use and reused, so a hot statement
// costs one round trip. Not thread-safe: a connection belongs to one lease at a time.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& conninfo,
                                                          StatementMetrics* metrics = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  absl::StatusOr<Result> Exec(const Statement& statement, const Params& params = {});
  // Plain SQL without parameters (transaction control, migrations, provisioning).
  absl::Status ExecScript(absl::string_view sql);
  absl::StatusOr<Result> QueryScript(absl::string_view sql);
  bool healthy() const;
  pg_conn* raw() { return conn_; }

 private:
  explicit Connection(pg_conn* conn, StatementMetrics* metrics);
  absl::Status SetTimeout(int timeout_ms);

  pg_conn* conn_;
  StatementMetrics* metrics_;
  std::unordered_set<std::string> prepared_;
  int timeout_ms_ = -1;
  bool broken_ = false;
};

}  // namespace zhigai::db
