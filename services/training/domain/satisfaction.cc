#include "services/training/domain/satisfaction.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zhigai::training {
namespace {

// Display only, truncated (never rounded up) so a failing 79.996% never reads "80.00%".
std::string Percent(int64_t satisfied, int64_t total) {
  const int64_t basis_points = satisfied * 10000 / total;
  return absl::StrFormat("%d.%02d%%", basis_points / 100, basis_points % 100);
}

}  // namespace

RuleOutcome CheckSatisfaction(const RatingCounts& ratings, const TrainingRules& rules) {
  RuleOutcome out;
  out.rule = "R13.4";
  out.check = "SATISFACTION";
  out.figures = {{"satisfied_ratings", absl::StrCat(ratings.satisfied)},
                 {"total_ratings", absl::StrCat(ratings.total)},
                 {"required_percent", absl::StrCat(rules.min_satisfaction_percent)}};
  // Decision (RULES.md is silent): an event with no ratings cannot show the required
  // satisfaction rate, so it is not evaluable and gets no subsidy (reason NO_RATINGS).
  if (ratings.total <= 0) {
    out.status = RuleStatus::kFail;
    out.reason = "NO_RATINGS";
    out.english =
        "no trainee ratings were received, so the satisfaction rate cannot be evaluated; "
        "no subsidy without ratings (R13.4)";
    out.chinese = "未收到学员评价，无法评估满意率，培训补助不予支付（R13.4）";
    return out;
  }
  const std::string rate = Percent(ratings.satisfied, ratings.total);
  out.figures.push_back({"satisfaction_percent", rate});
  if (ratings.satisfied * 100 >= ratings.total * rules.min_satisfaction_percent) {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat(ratings.satisfied, " of ", ratings.total, " ratings satisfied (",
                               rate, "), at least ", rules.min_satisfaction_percent, "% (R13.4)");
    out.chinese = absl::StrCat("学员满意率 ", rate, "（", ratings.satisfied, "/", ratings.total,
                               "），达到 ", rules.min_satisfaction_percent, "%（R13.4）");
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "SATISFACTION_BELOW_80";
    out.english =
        absl::StrCat("only ", ratings.satisfied, " of ", ratings.total, " ratings satisfied (",
                     rate, "), below ", rules.min_satisfaction_percent, "%: no subsidy (R13.4)");
    out.chinese =
        absl::StrCat("学员满意率 ", rate, "（", ratings.satisfied, "/", ratings.total, "），低于 ",
                     rules.min_satisfaction_percent, "%，培训补助不予支付（R13.4）");
  }
  return out;
}

}  // namespace zhigai::training
