// The R14 sanction parameters a revision of the measures may change (issue 26), as versioned
// data: data/sanction-rules.tsv, loaded and checked at start by the two services that decide
// sanctions (feedback orders bars from complaints, the registry keeps them and computes their
// terms). A bar is decided and timed under the version in force on its first day, and the
// sanction records that version.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::core {

struct SanctionRules {
  int version = 0;
  absl::CivilDay effective_from;
  int bar_years = 0;                           // R14.5: 三年内
  int bar_distinct_enterprises = 0;            // R14.5: complaints from this many enterprises
  int bar_complaints_from_one_enterprise = 0;  // R14.5: or this many from one enterprise
};

// Every version in `content` (the text of data/sanction-rules.tsv; `source` names it), in
// order; FAILED_PRECONDITION REFERENCE_DATA_INVALID naming file and line for a bad shape
// (versioned_rules.h) or value.
absl::StatusOr<std::vector<SanctionRules>> ParseSanctionRules(absl::string_view content,
                                                              absl::string_view source);
absl::StatusOr<std::vector<SanctionRules>> LoadSanctionRules(absl::string_view path);

// The version in force on `day`, or nullptr before the first one.
const SanctionRules* SanctionRulesIn(const std::vector<SanctionRules>& versions,
                                     absl::CivilDay day);
// The same as an error for callers: FAILED_PRECONDITION SANCTION_RULES_NOT_IN_FORCE (R14.5).
absl::StatusOr<const SanctionRules*> SanctionRulesOn(const std::vector<SanctionRules>& versions,
                                                     absl::CivilDay day);

}  // namespace zhigai::core
