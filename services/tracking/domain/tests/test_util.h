// Small helpers shared by the tracking domain tests.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/errors.h"

namespace zhigai::tracking::testing {

// Valid codes from data/credit-codes.tsv.
inline constexpr char kInstitution[] = "91330302123456788P";
inline constexpr char kOtherInstitution[] = "913303041456872374";
inline constexpr char kEnterprise[] = "91330303MA2H3K4L4J";

// The field paths an INVALID_ARGUMENT status names, in order.
inline std::vector<std::string> FieldsOf(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : ViolationsOf(status)) fields.push_back(violation.field);
  return fields;
}

}  // namespace zhigai::tracking::testing
