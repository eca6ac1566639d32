#include "services/training/domain/audience.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace zhigai::training {
namespace {

struct IndustryGroup {
  std::set<std::string> enterprises;
  int64_t people = 0;
};

bool MeetsIndustryAlternative(int64_t enterprises, int64_t people, const TrainingRules& rules) {
  return enterprises >= rules.min_enterprises_of_one_industry &&
         people >= rules.min_participants_of_one_industry;
}

}  // namespace

AttendanceSummary SummariseAttendance(const std::vector<AttendanceRow>& attendance,
                                      const TrainingRules& rules) {
  AttendanceSummary summary;
  std::set<std::string> enterprises;
  std::map<std::string, IndustryGroup> industries;  // ordered: ties resolve to the lowest code
  for (const AttendanceRow& row : attendance) {
    summary.participants += row.people;
    enterprises.insert(row.enterprise_credit_code);
    IndustryGroup& group = industries[row.industry_code];
    group.enterprises.insert(row.enterprise_credit_code);
    group.people += row.people;
  }
  summary.enterprises = static_cast<int64_t>(enterprises.size());

  auto rank = [&rules](const IndustryGroup& g) {
    const int64_t count = static_cast<int64_t>(g.enterprises.size());
    return std::make_tuple(MeetsIndustryAlternative(count, g.people, rules), count, g.people);
  };
  const IndustryGroup* best = nullptr;
  for (const auto& [code, group] : industries) {
    if (best == nullptr || rank(group) > rank(*best)) {
      best = &group;
      summary.top_industry = code;
    }
  }
  if (best != nullptr) {
    summary.top_industry_enterprises = static_cast<int64_t>(best->enterprises.size());
    summary.top_industry_participants = best->people;
  }
  return summary;
}

RuleOutcome CheckAudience(const TrainingEvent& event, const TrainingRules& rules) {
  RuleOutcome out;
  out.rule = "R13.2";
  out.check = "AUDIENCE";
  if (event.type == EventType::kForInstitutions) {
    out.status = RuleStatus::kNotApplicable;
    out.english = "an event for service institutions has no audience threshold (R13.2)";
    out.chinese = "面向服务机构的培训不适用参会人数要求（R13.2）";
    return out;
  }

  const AttendanceSummary s = SummariseAttendance(event.attendance, rules);
  out.figures = {{"participants", absl::StrCat(s.participants)},
                 {"enterprises", absl::StrCat(s.enterprises)},
                 {"top_industry", s.top_industry},
                 {"top_industry_enterprises", absl::StrCat(s.top_industry_enterprises)},
                 {"top_industry_participants", absl::StrCat(s.top_industry_participants)}};

  const bool lecture_or_forum =
      event.type == EventType::kLecture || event.type == EventType::kForum;
  if (lecture_or_forum) {
    out.figures.push_back(
        {"required_participants", absl::StrCat(rules.min_lecture_or_forum_participants)});
    if (s.participants >= rules.min_lecture_or_forum_participants) {
      out.status = RuleStatus::kPass;
      out.english =
          absl::StrCat(s.participants, " participants; a lecture or forum needs at least ",
                       rules.min_lecture_or_forum_participants, " (R13.2)");
      out.chinese = absl::StrCat("参会 ", s.participants, " 人，讲座论坛类活动要求 ",
                                 rules.min_lecture_or_forum_participants, " 人以上（R13.2）");
    } else {
      out.status = RuleStatus::kFail;
      out.reason = "TOO_FEW_PARTICIPANTS";
      out.english =
          absl::StrCat("only ", s.participants, " participants; a lecture or forum needs at least ",
                       rules.min_lecture_or_forum_participants, " (R13.2)");
      out.chinese = absl::StrCat("参会仅 ", s.participants, " 人，讲座论坛类活动要求 ",
                                 rules.min_lecture_or_forum_participants, " 人以上（R13.2）");
    }
    return out;
  }

  out.figures.push_back({"required_participants", absl::StrCat(rules.min_participants)});
  if (s.participants >= rules.min_participants) {
    out.status = RuleStatus::kPass;
    out.english = absl::StrCat(s.participants, " participants; at least ", rules.min_participants,
                               " are required (R13.2)");
    out.chinese = absl::StrCat("参会 ", s.participants, " 人，达到 ", rules.min_participants,
                               " 人以上（R13.2）");
  } else if (MeetsIndustryAlternative(s.top_industry_enterprises, s.top_industry_participants,
                                      rules)) {
    out.status = RuleStatus::kPass;
    out.english =
        absl::StrCat(s.top_industry_enterprises, " enterprises of industry ", s.top_industry,
                     " with ", s.top_industry_participants, " participants; at least ",
                     rules.min_enterprises_of_one_industry, " enterprises of one industry with ",
                     rules.min_participants_of_one_industry, " participants are required (R13.2)");
    out.chinese = absl::StrCat("同产业（", s.top_industry, "）企业 ", s.top_industry_enterprises,
                               " 家 ", s.top_industry_participants, " 人，达到同产业企业 ",
                               rules.min_enterprises_of_one_industry, " 家 ",
                               rules.min_participants_of_one_industry, " 人以上（R13.2）");
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "TOO_FEW_PARTICIPANTS";
    out.english = absl::StrCat(
        "only ", s.participants, " participants (at least ", rules.min_participants,
        " are required), and the largest group of one industry is ", s.top_industry_enterprises,
        " enterprises with ", s.top_industry_participants, " participants (at least ",
        rules.min_enterprises_of_one_industry, " enterprises with ",
        rules.min_participants_of_one_industry, " participants are required) (R13.2)");
    out.chinese = absl::StrCat("参会仅 ", s.participants, " 人（要求 ", rules.min_participants,
                               " 人以上），同产业企业最多 ", s.top_industry_enterprises, " 家 ",
                               s.top_industry_participants, " 人（要求同产业企业 ",
                               rules.min_enterprises_of_one_industry, " 家 ",
                               rules.min_participants_of_one_industry, " 人以上）（R13.2）");
  }
  return out;
}

RuleOutcome CheckNoFee(const TrainingEvent& event) {
  RuleOutcome out;
  out.rule = "R13.2";
  out.check = "NO_FEE";
  out.figures = {{"fee_fen", absl::StrCat(event.fee_fen)}};
  if (event.fee_fen == 0) {
    out.status = RuleStatus::kPass;
    out.english = "participants are charged nothing (R13.2)";
    out.chinese = "未向参会对象收取任何费用（R13.2）";
  } else {
    out.status = RuleStatus::kFail;
    out.reason = "FEE_CHARGED";
    out.english = absl::StrCat("participants are charged ", event.fee_fen,
                               " fen; no event may charge participants anything (R13.2)");
    out.chinese =
        absl::StrCat("向参会对象收费 ", event.fee_fen, " 分，各类活动均不得收取任何费用（R13.2）");
  }
  return out;
}

}  // namespace zhigai::training
