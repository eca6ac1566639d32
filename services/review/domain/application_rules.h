// The R5 figures a revision of the measures may change (issue 26), as versioned data:
// data/application-rules.tsv, loaded and checked when the review service starts. A call records
// the version in force on 1 January of its year (Call.rule_version) and its checklists apply
// that version, so adding a version never changes how an earlier call judged its applicants.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::review {

struct ApplicationRules {
  int version = 0;
  absl::CivilDay effective_from;
  int default_track_record_threshold = 0;  // R5.2: "2 is the default"; a call may set its own
  int min_qualified_resident_staff = 0;    // R5.3
  int bachelor_min_full_years = 0;         // R5.3: a related bachelor's degree and these years
  int master_min_full_years = 0;           // R5.3: a related master's or higher and these years
};

// Every version in `content` (the text of data/application-rules.tsv; `source` names it), in
// order; FAILED_PRECONDITION REFERENCE_DATA_INVALID naming file and line.
absl::StatusOr<std::vector<ApplicationRules>> ParseApplicationRules(absl::string_view content,
                                                                    absl::string_view source);
absl::StatusOr<std::vector<ApplicationRules>> LoadApplicationRules(absl::string_view path);

// The version for a call of `year`: the one in force on 1 January of the year;
// FAILED_PRECONDITION APPLICATION_RULES_NOT_IN_FORCE (R5.2) before the first.
absl::StatusOr<const ApplicationRules*> ApplicationRulesForYear(
    const std::vector<ApplicationRules>& versions, int year);
// Version `version`; FAILED_PRECONDITION APPLICATION_RULES_VERSION_MISSING when the file no
// longer has it (a version is never removed once a call recorded it).
absl::StatusOr<const ApplicationRules*> ApplicationRulesVersion(
    const std::vector<ApplicationRules>& versions, int version);

}  // namespace zhigai::review
