#include "services/training/domain/subsidy_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/workday_calendar.h"
#include "services/training/domain/audience.h"
#include "services/training/domain/content.h"
#include "services/training/domain/duration.h"
#include "services/training/domain/event_validation.h"
#include "services/training/domain/filing.h"
#include "services/training/domain/satisfaction.h"

namespace zhigai::training {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kEligible:
      return "ELIGIBLE";
    case Verdict::kNotEligible:
      return "NOT_ELIGIBLE";
    case Verdict::kNoSubsidyPolicy:
      return "NO_SUBSIDY_POLICY";
  }
  return "UNKNOWN";
}

absl::StatusOr<SubsidyReport> BuildSubsidyReport(const TrainingEvent& event,
                                                 const calendar::WorkdayCalendar& calendar,
                                                 const std::set<std::string>& five_plus_five_codes,
                                                 bool year_has_training_subsidy,
                                                 const InstitutionStanding& standing,
                                                 const TrainingRules& rules) {
  if (absl::Status valid = ValidateEvent(event); !valid.ok()) return valid;
  absl::StatusOr<absl::CivilDay> last =
      calendar.LastFilingDay(event.date(), rules.filing_working_days);
  if (!last.ok()) return last.status();

  SubsidyReport report;
  report.last_filing_day = *last;
  report.rule_version = rules.version;
  report.outcomes = {CheckDuration(event, rules),
                     CheckAudience(event, rules),
                     CheckNoFee(event),
                     CheckIndustries(event, five_plus_five_codes),
                     CheckCountyReview(event),
                     CheckFilingDeadline(event.date(), *last, event.filed_on, rules),
                     CheckSatisfaction(event.ratings, rules),
                     CheckInstitutionStanding(standing)};

  std::vector<std::string> failed;
  for (const RuleOutcome& outcome : report.outcomes) {
    if (!outcome.passed()) failed.push_back(absl::StrCat(outcome.rule, " ", outcome.reason));
  }
  const std::string failed_list = absl::StrJoin(failed, ", ");

  if (!year_has_training_subsidy) {
    report.verdict = Verdict::kNoSubsidyPolicy;
    report.english = "the year's policy has no training subsidy; the event is recorded (R13.0)";
    report.chinese = "本年度政策无培训补助，活动仅作记录（R13.0）";
  } else if (failed.empty()) {
    report.verdict = Verdict::kEligible;
    report.english = "the event meets R13.1-R13.4 and qualifies for the training subsidy (R13.0)";
    report.chinese = "活动符合 R13.1-R13.4 的要求，可获培训补助（R13.0）";
  } else {
    report.verdict = Verdict::kNotEligible;
    report.english = absl::StrCat(
        "the event does not qualify for the training subsidy: ", failed_list, " (R13.0)");
    report.chinese = absl::StrCat("活动不符合培训补助条件：", failed_list, "（R13.0）");
  }
  return report;
}

}  // namespace zhigai::training
