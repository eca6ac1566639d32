#include "services/training/domain/content.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace zhigai::training {

RuleOutcome CheckIndustries(const TrainingEvent& event,
                            const std::set<std::string>& five_plus_five_codes) {
  std::vector<std::string> targeted;
  std::vector<std::string> other;
  for (const std::string& code : event.industry_codes) {
    (five_plus_five_codes.count(code) > 0 ? targeted : other).push_back(code);
  }
  RuleOutcome out;
  out.rule = "R13.3";
  out.check = "FIVE_PLUS_FIVE_INDUSTRY";
  out.figures = {{"five_plus_five_industries", absl::StrJoin(targeted, ",")},
                 {"other_industries", absl::StrJoin(other, ",")}};
  if (!targeted.empty()) {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat("the content targets the \"5+5\" industries ",
                               absl::StrJoin(targeted, ", "), " (R13.3)");
    out.chinese =
        absl::StrCat("活动内容面向温州\"5+5\"产业：", absl::StrJoin(targeted, "、"), "（R13.3）");
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "NO_FIVE_PLUS_FIVE_INDUSTRY";
    out.english =
        "the content targets none of Wenzhou's \"5+5\" industries (data/industries.tsv) (R13.3)";
    out.chinese = "活动内容未面向温州\"5+5\"产业（R13.3）";
  }
  return out;
}

}  // namespace zhigai::training
