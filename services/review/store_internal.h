// Helpers shared by the store's files (not part of the store's interface).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/db/audit.h"
#include "libs/db/params.h"
#include "services/review/store.h"

namespace zhigai::review::internal {

// timestamptz as RFC 3339 UTC text.
#define REVIEW_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

inline absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return Error(absl::StatusCode::kNotFound, "NOT_FOUND", absl::StrCat(what, " ", id, " not found"),
               "记录不存在");
}

inline absl::Status Stale(absl::string_view what, int64_t sent, int64_t current) {
  return Error(absl::StatusCode::kAborted, "STALE_VERSION",
               absl::StrCat(what, " was changed by someone else: you sent version ", sent,
                            ", the current version is ", current, "; read it again"),
               "记录已被他人修改，请刷新后重试");
}

template <typename Message>
absl::StatusOr<Message> Parse(absl::string_view bytea) {
  Message m;
  if (!m.ParseFromString(db::DecodeBytea(bytea))) {
    return absl::InternalError("stored message does not parse");
  }
  return m;
}

inline absl::Status Audit(db::Connection& c, const Change& change, const char* entity,
                          const std::string& id, int64_t version) {
  return db::WriteAudit(c, change.actor, {change.method, entity, id, version});
}

}  // namespace zhigai::review::internal
