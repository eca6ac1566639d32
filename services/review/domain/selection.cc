#include "services/review/domain/selection.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

// How many of the ranked applications a quota selects, given the call's tie policy.
int QuotaCount(const std::vector<RankedApplication>& ranking, int quota, TiePolicy policy,
               bool& boundary_tie) {
  const int n = static_cast<int>(ranking.size());
  boundary_tie = false;
  if (n <= quota) return n;
  const ApplicationScore& last_place = ranking[quota - 1].score;
  int above = 0;    // strictly better than the last place within the quota
  int through = 0;  // better than or equal to it
  for (const RankedApplication& r : ranking) {
    const int cmp = CompareScores(r.score, last_place);
    if (cmp > 0) ++above;
    if (cmp >= 0) ++through;
  }
  if (through <= quota) return quota;  // the tied group ends inside the quota
  boundary_tie = true;
  return policy == TiePolicy::kAllIn ? through : above;
}

}  // namespace

absl::StatusOr<SelectionResult> SelectApplicants(const Call& call, Direction direction,
                                                 const std::vector<ScoredApplication>& scored) {
  const DirectionRules* rules = call.FindDirection(direction);
  if (rules == nullptr) {
    return InvalidField("direction", "R7.1",
                        absl::StrCat("the call does not open direction ", DirectionName(direction)),
                        "该征集通知未开放此业务方向");
  }
  if (rules->selection.mode == SelectionMode::kQuota && rules->selection.quota < 1) {
    return InvalidField(absl::StrCat("call.directions.", DirectionName(direction), ".quota"),
                        "R7.1", "a quota selection needs a quota of at least 1",
                        "按名额遴选时名额至少为 1");
  }
  std::set<std::string> ids;
  for (const ScoredApplication& s : scored) {
    if (!ids.insert(s.application_id).second) {
      return InvalidField("applications", "R7.1",
                          absl::StrCat("application ", s.application_id, " is listed twice"),
                          "申报重复列出");
    }
    if (s.score.experts_counted <= 0) {
      return RuleViolation("NO_EXPERT_SCORES", "R7.1",
                           absl::StrCat("application ", s.application_id, " has no expert score"),
                           absl::StrCat("申报 ", s.application_id, " 尚无专家评分"));
    }
  }

  SelectionResult result;
  for (const ScoredApplication& s : scored) {
    result.ranking.push_back({s.application_id, s.score, 0, false});
  }
  std::sort(result.ranking.begin(), result.ranking.end(),
            [](const RankedApplication& a, const RankedApplication& b) {
              const int cmp = CompareScores(a.score, b.score);
              if (cmp != 0) return cmp > 0;
              return a.application_id < b.application_id;
            });
  for (size_t i = 0; i < result.ranking.size(); ++i) {
    const bool tied_with_previous =
        i > 0 && CompareScores(result.ranking[i].score, result.ranking[i - 1].score) == 0;
    result.ranking[i].rank =
        tied_with_previous ? result.ranking[i - 1].rank : static_cast<int>(i) + 1;
  }

  const SelectionRule& rule = rules->selection;
  if (rule.mode == SelectionMode::kQuota) {
    result.selected_count =
        QuotaCount(result.ranking, rule.quota, call.tie_policy, result.boundary_tie);
    for (int i = 0; i < result.selected_count; ++i) result.ranking[i].selected = true;
  } else {
    for (RankedApplication& r : result.ranking) {
      r.selected = MeetsCutOff(r.score, rule.cut_off_hundredths);
      if (r.selected) ++result.selected_count;
    }
  }
  return result;
}

}  // namespace zhigai::review
