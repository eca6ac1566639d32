#include "libs/db/audit.h"

#include "libs/core/business_clock.h"
#include "libs/core/dates.h"
#include "libs/db/errors.h"
#include "libs/db/params.h"

namespace zhigai::db {
namespace {
constexpr Statement kInsertAudit{
    "audit.insert",
    "INSERT INTO audit_log (actor, actor_role, method, entity, entity_id, version, request_id,"
    " business_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)"};
constexpr Statement kFindKey{"idempotency.find",
                             "SELECT response FROM idempotency_keys WHERE key = $1"};
constexpr Statement kClaimKey{
    "idempotency.claim",
    "INSERT INTO idempotency_keys (key, method, response) VALUES ($1, $2, '\\x')"};
constexpr Statement kStoreKey{"idempotency.store",
                              "UPDATE idempotency_keys SET response = $2 WHERE key = $1"};
}  // namespace

absl::Status WriteAudit(Connection& conn, const Actor& actor, const AuditEntry& e) {
  Param business_at = std::nullopt;
  if (core::ProcessClockIsSettable())
    business_at = core::FormatTimestamp(core::ProcessClock()->Now());
  return conn
      .Exec(kInsertAudit, {actor.subject, actor.role, e.method, e.entity, e.entity_id, e.version,
                           actor.request_id, std::move(business_at)})
      .status();
}

absl::StatusOr<std::optional<std::string>> FindIdempotentResponse(Connection& conn,
                                                                  const std::string& key) {
  auto r = conn.Exec(kFindKey, {key});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(DecodeBytea(r->Text(0, 0)));
}

absl::Status ClaimIdempotencyKey(Connection& conn, const std::string& key,
                                 const std::string& method) {
  return conn.Exec(kClaimKey, {key, method}).status();
}

absl::Status StoreIdempotentResponse(Connection& conn, const std::string& key,
                                     const std::string& response) {
  return conn.Exec(kStoreKey, {key, Param::Bytes(response)}).status();
}

bool IsIdempotencyRace(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         ConstraintOf(status) == "idempotency_keys_pkey";
}

}  // namespace zhigai::db
