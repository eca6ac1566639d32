// How long an enterprise may change its rating (S2.1, S2.2). The bureau sets the change
// period in days; the handler reads it from configuration.
#pragma once

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

namespace zhigai::feedback {

// Decision (task, RULES.md silent): until the city bureau sets a period for a year, a rating
// may be changed for 7 days after the day it was first given.
inline constexpr int kDefaultRatingChangePeriodDays = 7;

// Decision (task, RULES.md silent): the day the rating was first given is day 0 and is not
// counted. A change is allowed from day 0 through day `period_days` inclusive, so with a 7-day
// period a rating first given on 1 March may be changed until 8 March and not on 9 March. A
// period of 0 allows changes on the first day only. A negative period (misconfiguration)
// allows nothing, and so does a `today` before the first day (clock or data error).
bool CanChangeRating(absl::CivilDay first_rated_day, absl::CivilDay today, int period_days);

// The last day a change is allowed (first_rated_day + period_days); meaningful for
// period_days >= 0.
absl::CivilDay LastRatingChangeDay(absl::CivilDay first_rated_day, int period_days);

// CanChangeRating as a status: FAILED_PRECONDITION, reason RATING_CHANGE_PERIOD_OVER.
absl::Status CheckRatingChange(absl::CivilDay first_rated_day, absl::CivilDay today,
                               int period_days);

}  // namespace zhigai::feedback
