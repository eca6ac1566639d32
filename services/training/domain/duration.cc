#include "services/training/domain/duration.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zhigai::training {
namespace {

std::string Hours(int64_t minutes) {
  return absl::StrFormat("%dh%02d", minutes / 60, minutes % 60);
}

}  // namespace

RuleOutcome CheckDuration(const TrainingEvent& event, const TrainingRules& rules) {
  const int64_t minutes = event.ends_at - event.starts_at;
  // Ending at 00:00 the next day is ending at 24:00 on the event's date.
  const absl::CivilDay last_day = absl::CivilDay(event.ends_at - 1);
  const bool same_date = last_day == event.date();

  RuleOutcome out;
  out.rule = "R13.1";
  out.check = "DURATION";
  out.figures = {{"duration_minutes", absl::StrCat(minutes)},
                 {"half_day_limit_minutes", absl::StrCat(rules.half_day_minutes)},
                 {"full_day_limit_minutes", absl::StrCat(rules.full_day_minutes)},
                 {"special_reason_approved", event.special_reason_approved ? "true" : "false"},
                 {"same_date", same_date ? "true" : "false"}};
  const std::string length = Hours(minutes);

  if (minutes <= 0) {
    // ValidateEvent refuses this as bad input; never let it pass as a short event.
    out.status = RuleStatus::kFail;
    out.reason = "EVENT_TIMES_INVALID";
    out.english = "the event must end after it starts (R13.1)";
    out.chinese = "活动结束时间须晚于开始时间（R13.1）";
  } else if (!same_date) {
    out.status = RuleStatus::kFail;
    out.reason = "EVENT_CROSSES_MIDNIGHT";
    out.english = absl::StrCat(
        "the event runs past midnight into the next day; an event must be "
        "held within one date (R13.1)");
    out.chinese = "活动跨越午夜，须在同一天内完成（R13.1）";
  } else if (minutes <= rules.half_day_minutes) {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat("the event takes ", length, ", within half a day (at most ",
                               Hours(rules.half_day_minutes), ") (R13.1)");
    out.chinese = absl::StrCat("活动时长 ", length, "，在半天（不超过 4 小时）内完成（R13.1）");
  } else if (minutes > rules.full_day_minutes) {
    out.status = RuleStatus::kFail;
    out.reason = "DURATION_OVER_ONE_DAY";
    out.english = absl::StrCat("the event takes ", length, ", more than one day (at most ",
                               Hours(rules.full_day_minutes), ") (R13.1)");
    out.chinese = absl::StrCat("活动时长 ", length, "，超过一天（不超过 8 小时）的上限（R13.1）");
  } else if (!event.special_reason_approved) {
    out.status = RuleStatus::kFail;
    out.reason = "DURATION_NEEDS_APPROVED_REASON";
    out.english = absl::StrCat("the event takes ", length, ", more than half a day (",
                               Hours(rules.half_day_minutes),
                               "); a longer event needs a special reason approved by the bureau "
                               "(R13.1)");
    out.chinese =
        absl::StrCat("活动时长 ", length,
                     "，超过半天（4 小时），延长至一天须有经经信部门批准的特殊理由（R13.1）");
  } else {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat("the event takes ", length,
                               ", within one day, with a special reason approved by the bureau "
                               "(R13.1)");
    out.chinese = absl::StrCat("活动时长 ", length, "，特殊情况经批准延长，在一天内完成（R13.1）");
  }
  return out;
}

}  // namespace zhigai::training
