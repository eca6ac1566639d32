#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/db/connection.h"

namespace zhigai::db {

// Who is making a change, as the service's handler learnt it from the verified principal.
struct Actor {
  std::string subject;
  std::string role;
  std::string request_id;
};

// One audit row, written in the same transaction as the change it records.
struct AuditEntry {
  std::string method;     // full gRPC method
  std::string entity;     // e.g. "institution"
  std::string entity_id;  // e.g. the credit code
  int64_t version = 0;    // the entity's new version
};

absl::Status WriteAudit(Connection& conn, const Actor& actor, const AuditEntry& entry);

// Idempotency keys: the key is claimed first in the transaction (so a concurrent twin waits on
// it and then sees the race), the answer stored with the change, and a repeat returns it
// without doing anything again.
//
// A key may carry the fingerprint of its request (BindFingerprint; libs/server builds them):
// a repeat whose fingerprint differs from the stored one is refused with FAILED_PRECONDITION,
// reason REQUEST_ID_REUSED, naming the id field, and nothing runs. Keys without one (and keys
// stored before fingerprints existed) answer every repeat as before.
std::string BindFingerprint(absl::string_view key, absl::string_view id_field,
                            absl::string_view fingerprint);
absl::StatusOr<std::optional<std::string>> FindIdempotentResponse(Connection& conn,
                                                                  const std::string& key);
absl::Status ClaimIdempotencyKey(Connection& conn, const std::string& key,
                                 const std::string& method);
absl::Status StoreIdempotentResponse(Connection& conn, const std::string& key,
                                     const std::string& response);
// A concurrent first request with the same key won the race: read its answer and return it.
bool IsIdempotencyRace(const absl::Status& status);

}  // namespace zhigai::db
