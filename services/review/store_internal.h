// Helpers shared by the store's files (not part of the store's interface).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/db/audit.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "services/review/store.h"

namespace zhigai::review::internal {

// timestamptz as RFC 3339 UTC text.
#define REVIEW_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// The shared store helpers (libs/db/stored.h) under the names the store's files use.
using db::NotFound;
inline absl::Status Stale(absl::string_view what, int64_t sent, int64_t current) {
  return db::StaleVersion(what, sent, current);
}
template <typename Message>
absl::StatusOr<Message> Parse(absl::string_view bytea) {
  return db::ParseStored<Message>(bytea);
}
using db::Audit;

}  // namespace zhigai::review::internal
