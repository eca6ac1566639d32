// R13.4 review and filing: the county bureau reviews plan, agenda and slides; the event is
// then filed with the city bureau at least 10 working days before it takes place.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"
#include "services/training/domain/training_rules.h"

namespace zhigai::calendar {
class WorkdayCalendar;
}

namespace zhigai::training {

// Check "COUNTY_REVIEW": fails with COUNTY_REVIEW_NOT_APPROVED.
RuleOutcome CheckCountyReview(const TrainingEvent& event);

// Check "FILING_DEADLINE": filing on F for an event on E is in time iff
// F <= calendar.LastFilingDay(E). The outcome names the last filing day (figure
// "last_filing_day"). Fails with NOT_FILED (no filing date yet) or FILED_TOO_LATE. Calendar
// errors (CALENDAR_YEAR_MISSING) are returned as the status: the deadline is never guessed.
absl::StatusOr<RuleOutcome> CheckFilingDeadline(const calendar::WorkdayCalendar& calendar,
                                                absl::CivilDay event_date,
                                                std::optional<absl::CivilDay> filed_on,
                                                const TrainingRules& rules);

// The same check when the last filing day is already known (from LastFilingDay).
RuleOutcome CheckFilingDeadline(absl::CivilDay event_date, absl::CivilDay last_filing_day,
                                std::optional<absl::CivilDay> filed_on, const TrainingRules& rules);

// For the FileEvent handler: OK when filing on `filing_date` is in time, else
// FAILED_PRECONDITION FILED_TOO_LATE stating the last filing day; calendar errors as above.
absl::Status CheckFilingAllowed(const calendar::WorkdayCalendar& calendar,
                                absl::CivilDay event_date, absl::CivilDay filing_date,
                                const TrainingRules& rules);

}  // namespace zhigai::training
