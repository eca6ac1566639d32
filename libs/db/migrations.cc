#include "libs/db/migrations.h"

#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/db/errors.h"

namespace zhigai::db {
namespace {

constexpr Statement kCreateTable{
    "migrations.create_table",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component text NOT NULL, version int NOT NULL, name text NOT NULL,"
    " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (component, version))",
    30000};
constexpr Statement kLock{"migrations.lock",
                          "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.migrate'))",
                          600000};
constexpr Statement kApplied{"migrations.applied",
                             "SELECT version, checksum FROM schema_migrations WHERE component = $1",
                             5000};
constexpr Statement kRecord{
    "migrations.record",
    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
    5000};
constexpr Statement kTableExists{"migrations.table_exists",
                                 "SELECT to_regclass('schema_migrations') IS NOT NULL", 5000};

// FNV-1a 64: enough to notice an edited migration; not a security boundary.
std::string Checksum(absl::string_view sql) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : sql) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

absl::StatusOr<std::map<int, std::string>> Applied(Connection& conn, const std::string& component) {
  ASSIGN_OR_RETURN(auto rows, conn.Exec(kApplied, {component}));
  std::map<int, std::string> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out[static_cast<int>(rows.Int64(i, 0))] = rows.String(i, 1);
  }
  return out;
}

}  // namespace

const std::vector<Migration>& FrameworkMigrations() {
  static const auto* all = new std::vector<Migration>{
      {1, "audit_and_idempotency",
       R"sql(
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  actor_role text NOT NULL,
  method text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  version bigint NOT NULL,
  request_id text NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
-- The audit log is append-only: no API and no service code may change or remove a row.
CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  method text NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
)sql"},
      {2, "outbox",
       R"sql(
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  command_id text NOT NULL UNIQUE,
  target text NOT NULL,
  method text NOT NULL,
  payload bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  -- A refusal that retrying cannot change (INVALID_ARGUMENT, ...): kept for operators, not retried.
  failed_at timestamptz,
  last_error text
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
)sql"},
      {3, "outbox_ordering",
       R"sql(
-- Commands that share an ordering key are delivered in id order (a registration before the
-- admission that needs it); commands with no key, or different keys, never wait on each other.
ALTER TABLE outbox ADD COLUMN ordering_key text NOT NULL DEFAULT '';
CREATE INDEX outbox_ordering ON outbox (ordering_key, id)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
)sql"},
      {4, "audit_business_time",
       R"sql(
-- On a settable business clock (rehearsals, never production) a change is decided at a
-- business time other than the wall time in `at`: the row keeps both. NULL: the system clock,
-- where the two are the same.
ALTER TABLE audit_log ADD COLUMN business_at timestamptz;
)sql"},
      {5, "idempotency_fingerprint",
       R"sql(
-- A request id is bound to its request (AIP-155, issue 27): the fingerprint of everything but
-- the id, so that the same id with another body is refused instead of answered with the first
-- request's result. '' for keys stored before: they keep answering as they did.
ALTER TABLE idempotency_keys ADD COLUMN request_fingerprint text NOT NULL DEFAULT '';
)sql"},
      {6, "outbox_parked",
       R"sql(
-- Commands their receiver refused for good wait for an operator; the dispatcher counts them
-- for the OutboxCommandsParked alert every few seconds, which must not scan delivered rows.
CREATE INDEX outbox_parked ON outbox (id) WHERE failed_at IS NOT NULL;
)sql"},
  };
  return *all;
}

absl::StatusOr<MigrationReport> ApplyMigrations(Connection& conn, const std::string& component,
                                                const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  auto fail = [&](absl::Status s) -> absl::StatusOr<MigrationReport> {
    if (conn.healthy()) (void)conn.ExecScript("ROLLBACK");
    return s;
  };
  // The lock is taken before the table exists so two replicas starting together serialise.
  if (auto r = conn.Exec(kLock); !r.ok()) return fail(r.status());
  if (auto r = conn.Exec(kCreateTable); !r.ok()) return fail(r.status());
  auto applied = Applied(conn, component);
  if (!applied.ok()) return fail(applied.status());
  MigrationReport report;
  for (const Migration& m : migrations) {
    std::string sum = Checksum(m.sql);
    auto it = applied->find(m.version);
    if (it != applied->end()) {
      if (it->second != sum) {
        return fail(absl::FailedPreconditionError(
            absl::StrCat("migration ", component, "/", m.name,
                         " changed after it was applied; add a new migration instead")));
      }
      ++report.already;
      continue;
    }
    if (auto s = conn.ExecScript(m.sql); !s.ok()) {
      return fail(absl::Status(
          s.code(), absl::StrCat("migration ", component, "/", m.name, ": ", s.message())));
    }
    if (auto r = conn.Exec(kRecord, {component, m.version, m.name, sum}); !r.ok()) {
      return fail(r.status());
    }
    ++report.applied;
  }
  RETURN_IF_ERROR(conn.ExecScript("COMMIT"));
  return report;
}

absl::StatusOr<int> PendingMigrations(Connection& conn, const std::string& component,
                                      const std::vector<Migration>& migrations) {
  ASSIGN_OR_RETURN(auto exists, conn.Exec(kTableExists));
  if (!exists.Bool(0, 0)) return static_cast<int>(migrations.size());
  auto applied = Applied(conn, component);
  if (!applied.ok()) return applied.status();
  int pending = 0;
  for (const Migration& m : migrations) pending += applied->count(m.version) ? 0 : 1;
  return pending;
}

}  // namespace zhigai::db
