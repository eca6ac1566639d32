#include "services/feedback/domain/rating_window.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {

bool CanChangeRating(absl::CivilDay first_rated_day, absl::CivilDay today, int period_days) {
  if (period_days < 0) return false;
  const auto elapsed = today - first_rated_day;
  return elapsed >= 0 && elapsed <= period_days;
}

absl::CivilDay LastRatingChangeDay(absl::CivilDay first_rated_day, int period_days) {
  return first_rated_day + period_days;
}

absl::Status CheckRatingChange(absl::CivilDay first_rated_day, absl::CivilDay today,
                               int period_days) {
  if (CanChangeRating(first_rated_day, today, period_days)) return absl::OkStatus();
  const std::string first = absl::FormatCivilTime(first_rated_day);
  return RuleViolation(
      "RATING_CHANGE_PERIOD_OVER", "S2.1",
      absl::StrCat("the rating first given on ", first, " may be changed only within ", period_days,
                   " days after that day"),
      absl::StrCat("评价首次提交于", first, "，仅可在其后", period_days, "日内修改"));
}

}  // namespace zhigai::feedback
