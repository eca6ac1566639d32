// The R13 training conditions a revision of the measures may change (issue 26), as versioned
// data: data/training-rules.tsv, loaded and checked at start. An event is judged under the
// version in force on its date, and every check and report names that version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::training {

struct TrainingRules {
  int version = 0;
  absl::CivilDay effective_from;
  int64_t half_day_minutes = 0;  // R13.1: an event fits in half a day
  int64_t full_day_minutes = 0;  // R13.1: an approved special case, one day
  int64_t min_participants = 0;  // R13.2
  int64_t min_lecture_or_forum_participants = 0;
  int64_t min_enterprises_of_one_industry = 0;   // R13.2's alternative: one industry's
  int64_t min_participants_of_one_industry = 0;  // enterprises and participants
  int filing_working_days = 0;                   // R13.4: filed this many working days before
  int64_t min_satisfaction_percent = 0;          // R13.4
};

// Every version in `content` (the text of data/training-rules.tsv; `source` names it), in
// order; FAILED_PRECONDITION REFERENCE_DATA_INVALID naming file and line for a bad shape
// (libs/core/versioned_rules.h) or value (half a day longer than a day, a percent above 100,
// the industry alternative asking for more people than the general threshold, …).
absl::StatusOr<std::vector<TrainingRules>> ParseTrainingRules(absl::string_view content,
                                                              absl::string_view source);
absl::StatusOr<std::vector<TrainingRules>> LoadTrainingRules(absl::string_view path);

// The version in force on `day`; FAILED_PRECONDITION TRAINING_RULES_NOT_IN_FORCE before the
// first one.
absl::StatusOr<const TrainingRules*> TrainingRulesOn(const std::vector<TrainingRules>& versions,
                                                     absl::CivilDay day);
// Version `version`; FAILED_PRECONDITION TRAINING_RULES_VERSION_MISSING when the file lacks it
// (a version an event recorded is never removed).
absl::StatusOr<const TrainingRules*> TrainingRulesVersion(
    const std::vector<TrainingRules>& versions, int version);

}  // namespace zhigai::training
