// Helpers the registry's handlers share: resource names, request keys, the county's division,
// and the request kit's names (libs/server/request_kit.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/server/call.h"
#include "libs/server/request_kit.h"

namespace zhigai::registry {

using server::AfterId;
using server::ChangeOf;
using server::CheckRequestId;
using server::CheckYear;
using server::IdFromName;
using server::IdOf;

// "institutions/{code}" → code; the code itself is validated (R0.1).
absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view field);

// A county bureau registers, edits and files for institutions registered in its own division
// only (RULES.md: county bureaus act within their division); other callers pass.
absl::Status WithinCountyDivision(const server::Call& call, const std::string& division,
                                  absl::string_view action);

}  // namespace zhigai::registry
