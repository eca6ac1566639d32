#include "libs/db/audit.h"

#include "absl/strings/str_cat.h"
#include "libs/core/business_clock.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/errors.h"
#include "libs/db/params.h"

namespace zhigai::db {
namespace {
constexpr Statement kInsertAudit{
    "audit.insert",
    "INSERT INTO audit_log (actor, actor_role, method, entity, entity_id, version, request_id,"
    " business_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)"};
constexpr Statement kFindKey{
    "idempotency.find",
    "SELECT response, request_fingerprint FROM idempotency_keys WHERE key = $1"};
constexpr Statement kClaimKey{"idempotency.claim",
                              "INSERT INTO idempotency_keys (key, method, response,"
                              " request_fingerprint) VALUES ($1, $2, '\\x', $3)"};

// A bound key is "<key>\n<id field>:<fingerprint>"; ids and methods never hold a newline
// (ids are single lines, checked before any write).
struct BoundKey {
  std::string key;
  std::string id_field;
  std::string fingerprint;  // "<id field>:<hex>" as stored, or ""
};

BoundKey Split(const std::string& bound) {
  const size_t nl = bound.rfind('\n');
  if (nl == std::string::npos) return {bound, "", ""};
  BoundKey out{bound.substr(0, nl), "", bound.substr(nl + 1)};
  out.id_field = out.fingerprint.substr(0, out.fingerprint.find(':'));
  return out;
}
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

std::string BindFingerprint(absl::string_view key, absl::string_view id_field,
                            absl::string_view fingerprint) {
  return absl::StrCat(key, "\n", id_field, ":", fingerprint);
}

absl::StatusOr<std::optional<std::string>> FindIdempotentResponse(Connection& conn,
                                                                  const std::string& key) {
  const BoundKey k = Split(key);
  ASSIGN_OR_RETURN(auto r, conn.Exec(kFindKey, {k.key}));
  if (r.rows() == 0) return std::optional<std::string>();
  const std::string stored = r.String(0, 1);
  if (!stored.empty() && !k.fingerprint.empty() && stored != k.fingerprint) {
    return Error(absl::StatusCode::kFailedPrecondition, "REQUEST_ID_REUSED",
                 absl::StrCat(k.id_field,
                              ": this id was already used for a different request; a repeat "
                              "must be the same request, a new request needs a new id (AIP-155)"),
                 "该请求编号已用于另一项不同的请求，新的请求须使用新的编号", "AIP-155");
  }
  return std::optional<std::string>(DecodeBytea(r.Text(0, 0)));
}

absl::Status ClaimIdempotencyKey(Connection& conn, const std::string& key,
                                 const std::string& method) {
  const BoundKey k = Split(key);
  return conn.Exec(kClaimKey, {k.key, method, k.fingerprint}).status();
}

absl::Status StoreIdempotentResponse(Connection& conn, const std::string& key,
                                     const std::string& response) {
  return conn.Exec(kStoreKey, {Split(key).key, Param::Bytes(response)}).status();
}

bool IsIdempotencyRace(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         ConstraintOf(status) == "idempotency_keys_pkey";
}

}  // namespace zhigai::db
