// R13.0 subsidy report: every R13.1-R13.4 check on one event and the final verdict. Events
// are recorded whether or not they qualify; this report only says whether the training
// subsidy is due.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/training/domain/event.h"
#include "services/training/domain/institution_standing.h"
#include "services/training/domain/rule_outcome.h"
#include "services/training/domain/training_rules.h"

namespace zhigai::calendar {
class WorkdayCalendar;
}

namespace zhigai::training {

enum class Verdict {
  kEligible,         // every check passed or does not apply
  kNotEligible,      // at least one check failed
  kNoSubsidyPolicy,  // the event's year has no training subsidy; checks are still listed
};

// "ELIGIBLE", "NOT_ELIGIBLE", "NO_SUBSIDY_POLICY".
absl::string_view VerdictName(Verdict verdict);

struct SubsidyReport {
  Verdict verdict = Verdict::kNotEligible;
  absl::CivilDay last_filing_day;  // R13.4, for the event's date
  // In a fixed order: R13.1 DURATION, R13.2 AUDIENCE, R13.2 NO_FEE, R13.3
  // FIVE_PLUS_FIVE_INDUSTRY, R13.4 COUNTY_REVIEW, R13.4 FILING_DEADLINE, R13.4 SATISFACTION,
  // then INSTITUTION_ELIGIBLE (R14.4/R14.5: the institution's standing on the event's date).
  std::vector<RuleOutcome> outcomes;
  int rule_version = 0;  // the training rules the checks applied (training_rules.h)
  std::string english;   // one-line summary naming the failed checks
  std::string chinese;
};

// Errors: INVALID_ARGUMENT from ValidateEvent for an event no rule can interpret;
// FAILED_PRECONDITION CALENDAR_YEAR_MISSING when the filing deadline needs a year the
// calendar lacks (even without a subsidy policy: the report never guesses a deadline).
absl::StatusOr<SubsidyReport> BuildSubsidyReport(const TrainingEvent& event,
                                                 const calendar::WorkdayCalendar& calendar,
                                                 const std::set<std::string>& five_plus_five_codes,
                                                 bool year_has_training_subsidy,
                                                 const InstitutionStanding& standing,
                                                 const TrainingRules& rules);

}  // namespace zhigai::training
