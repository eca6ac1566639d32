// Small helpers shared by the handler files: resource names, paging tokens, keys.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/peers/registry_eligibility.h"
#include "libs/server/call.h"
#include "services/tracking/store.h"

namespace zhigai::tracking {

inline Change ChangeOf(const server::Call& call) { return {call.actor(), call.method}; }

// "{collection}/{id}" with a positive id; InvalidField(field, "AIP-122") otherwise.
absl::StatusOr<int64_t> IdFromName(const std::string& name, absl::string_view collection,
                                   absl::string_view field);
// "{collection}/{credit_code}" with a valid code (R0.1).
absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view collection,
                                         absl::string_view field);
// The id carried by a page token (0 for the first page).
absl::StatusOr<int64_t> AfterId(const std::string& token);
absl::Status CheckYear(int year, absl::string_view field);
absl::Status CheckKey(const std::string& key, absl::string_view field, size_t max);
// FAILED_PRECONDITION INSTITUTION_NOT_ELIGIBLE naming every reason the registry gave.
absl::Status NotEligible(const peers::EligibilityAnswer& answer);

}  // namespace zhigai::tracking
