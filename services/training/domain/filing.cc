#include "services/training/domain/filing.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/calendar/workday_calendar.h"

namespace zhigai::training {

RuleOutcome CheckCountyReview(const TrainingEvent& event) {
  RuleOutcome out;
  out.rule = "R13.4";
  out.check = "COUNTY_REVIEW";
  out.figures = {{"county_review_approved", event.county_review_approved ? "true" : "false"}};
  if (event.county_review_approved) {
    out.status = RuleStatus::kPass;
    out.english = "plan, agenda and slides were approved by the county bureau (R13.4)";
    out.chinese = "活动方案、议程和讲师课件已经属地经信部门审查通过（R13.4）";
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "COUNTY_REVIEW_NOT_APPROVED";
    out.english = "plan, agenda and slides have not been approved by the county bureau (R13.4)";
    out.chinese = "活动方案、议程和讲师课件未经属地经信部门审查通过（R13.4）";
  }
  return out;
}

absl::StatusOr<RuleOutcome> CheckFilingDeadline(const calendar::WorkdayCalendar& calendar,
                                                absl::CivilDay event_date,
                                                std::optional<absl::CivilDay> filed_on,
                                                const TrainingRules& rules) {
  absl::StatusOr<absl::CivilDay> last =
      calendar.LastFilingDay(event_date, rules.filing_working_days);
  if (!last.ok()) return last.status();
  return CheckFilingDeadline(event_date, *last, filed_on, rules);
}

RuleOutcome CheckFilingDeadline(absl::CivilDay event_date, absl::CivilDay last_filing_day,
                                std::optional<absl::CivilDay> filed_on,
                                const TrainingRules& rules) {
  const std::string last_text = absl::FormatCivilTime(last_filing_day);
  const std::string event_text = absl::FormatCivilTime(event_date);

  RuleOutcome out;
  out.rule = "R13.4";
  out.check = "FILING_DEADLINE";
  out.figures = {{"event_date", event_text},
                 {"last_filing_day", last_text},
                 {"working_days_before", absl::StrCat(rules.filing_working_days)},
                 {"filed_on", filed_on ? absl::FormatCivilTime(*filed_on) : std::string()}};
  if (!filed_on) {
    out.status = RuleStatus::kFail;
    out.reason = "NOT_FILED";
    out.english = absl::StrCat(
        "the event has not been filed with the city bureau; the last day "
        "to file for ",
        event_text, " is ", last_text, " (R13.4)");
    out.chinese = absl::StrCat("活动未报市经信局备案，", event_text, " 的活动最迟应于 ", last_text,
                               " 备案（R13.4）");
  } else if (*filed_on <= last_filing_day) {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat(
        "filed on ", absl::FormatCivilTime(*filed_on), ", by the last filing day ", last_text, " (",
        rules.filing_working_days, " working days before ", event_text, ") (R13.4)");
    out.chinese =
        absl::StrCat("已于 ", absl::FormatCivilTime(*filed_on), " 备案，未晚于最迟备案日 ",
                     last_text, "（活动前 ", rules.filing_working_days, " 个工作日）（R13.4）");
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "FILED_TOO_LATE";
    out.english =
        absl::StrCat("filed on ", absl::FormatCivilTime(*filed_on), ", after the last filing day ",
                     last_text, "; an event on ", event_text, " must be filed at least ",
                     rules.filing_working_days, " working days before (R13.4)");
    out.chinese = absl::StrCat("于 ", absl::FormatCivilTime(*filed_on), " 备案，晚于最迟备案日 ",
                               last_text, "；", event_text, " 的活动须提前 ",
                               rules.filing_working_days, " 个工作日备案（R13.4）");
  }
  return out;
}

absl::Status CheckFilingAllowed(const calendar::WorkdayCalendar& calendar,
                                absl::CivilDay event_date, absl::CivilDay filing_date,
                                const TrainingRules& rules) {
  absl::StatusOr<RuleOutcome> outcome =
      CheckFilingDeadline(calendar, event_date, filing_date, rules);
  if (!outcome.ok()) return outcome.status();
  return AsStatus(*outcome);
}

}  // namespace zhigai::training
