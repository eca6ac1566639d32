// What every service's store needs around its SQL: who changes what (Change, Audit), reading
// serialised messages and dates back, and the two refusals every store makes the same way.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "libs/db/audit.h"
#include "libs/db/connection.h"
#include "libs/db/params.h"

namespace zhigai::db {

// The caller of a write and the gRPC method that makes it; every write audits it.
struct Change {
  Actor actor;
  std::string method;
};

inline absl::Status Audit(Connection& c, const Change& change, absl::string_view entity,
                          const std::string& id, int64_t version) {
  return WriteAudit(c, change.actor, {change.method, std::string(entity), id, version});
}

// NOT_FOUND "<what> <id> not found" with the stable reason NOT_FOUND.
absl::Status NotFound(absl::string_view what, absl::string_view id);
// ABORTED STALE_VERSION: the caller must read again (optimistic concurrency).
absl::Status StaleVersion(absl::string_view what, int64_t sent, int64_t current);

// A protobuf message stored as bytea.
template <typename Message>
absl::StatusOr<Message> ParseStored(absl::string_view bytea) {
  Message m;
  if (!m.ParseFromString(DecodeBytea(bytea))) {
    return absl::InternalError("stored message does not parse");
  }
  return m;
}

// A date column read back as text (YYYY-MM-DD).
absl::StatusOr<absl::CivilDay> StoredDay(absl::string_view text);

}  // namespace zhigai::db
