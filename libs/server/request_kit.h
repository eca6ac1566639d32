// What every service's handlers check in a request and build from it, written once (issue 23
// item 1): resource names with numeric ids, keyset page tokens, years, request ids and
// versions, the description of a change for the audit, and full method names.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/core/dates.h"
#include "libs/db/stored.h"
#include "libs/server/call.h"

namespace zhigai::server {

// "/zhigai.registry.v1.RegistryService/GetInstitution" from the generated service's
// service_full_name() and the method's name.
std::string MethodName(absl::string_view service_full_name, absl::string_view method);

// The caller and method of a write, for the audit.
db::Change ChangeOf(const Call& call);

// "{collection}/{id}" → id, a positive number; INVALID_ARGUMENT (AIP-122) naming `field`.
absl::StatusOr<int64_t> IdFromName(absl::string_view name, absl::string_view collection,
                                   absl::string_view field);
// The last segment of a resource name ("institutions/9133…" → "9133…").
std::string IdOf(absl::string_view name);

// Keyset paging on ids: the token carries the last id of the previous page; "" is the first
// page (0). A token that does not decode, or holds anything but an id ≥ 0, is INVALID_ARGUMENT
// (AIP-158) on page_token: one rule for every service.
absl::StatusOr<int64_t> AfterId(const std::string& page_token);

// A business year within [min, max] (RULES.md: 2000..2100), else INVALID_ARGUMENT on `field`.
absl::Status CheckYear(int64_t year, absl::string_view field, int min = core::kMinBusinessYear,
                       int max = core::kMaxBusinessYear);

// An idempotency key (AIP-155): 1..max characters on one line. Request ids have 64; command and
// reconciliation ids, which outboxes and the platform compose, 128.
absl::Status CheckRequestId(const std::string& id, absl::string_view field = "request_id",
                            size_t max = 64);

// The version the caller read (AIP-154), for optimistic concurrency: positive.
absl::Status CheckVersion(int64_t version, absl::string_view field = "version");

}  // namespace zhigai::server
