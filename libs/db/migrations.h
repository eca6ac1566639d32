// Plain-SQL migrations, compiled into each service binary (cmake/ZhigaiMigrations.cmake),
// applied in order under an advisory lock and recorded in the service's own schema.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/db/connection.h"

namespace zhigai::db {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// The project's own tables that every service schema carries (audit log, idempotency keys,
// outbox); applied as component "zhigai" before the service's migrations.
const std::vector<Migration>& FrameworkMigrations();

struct MigrationReport {
  int applied = 0;
  int already = 0;
};

// Applies what is missing of `migrations` for `component` in the connection's current schema.
// A recorded migration whose text changed since it was applied is an error (FAILED_PRECONDITION):
// migrations are append-only.
absl::StatusOr<MigrationReport> ApplyMigrations(Connection& conn, const std::string& component,
                                                const std::vector<Migration>& migrations);

// How many of `migrations` are not yet applied (readiness reports NOT_SERVING while > 0).
absl::StatusOr<int> PendingMigrations(Connection& conn, const std::string& component,
                                      const std::vector<Migration>& migrations);

}  // namespace zhigai::db
