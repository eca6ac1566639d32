#include "services/evaluation/snapshot.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"

namespace zhigai::evaluation {

std::map<std::string, std::pair<Exclusion, std::string>> ExclusionsFrom(
    absl::Span<const SanctionFact> sanctions) {
  std::map<std::string, std::pair<Exclusion, std::string>> out;
  for (const SanctionFact& s : sanctions) {
    if (s.lifted && s.lift_date.empty()) continue;
    Exclusion kind = s.bar ? Exclusion::kBarred : Exclusion::kCancelled;
    auto [it, inserted] = out.try_emplace(s.credit_code, kind, s.name);
    if (inserted) continue;
    auto& [current, source] = it->second;
    bool heavier = kind == Exclusion::kBarred && current == Exclusion::kCancelled;
    bool same_but_first = kind == current && s.name < source;
    if (heavier || same_but_first) it->second = {kind, s.name};
  }
  return out;
}

void ApplyCurrentSanctions(absl::Span<const SanctionFact> sanctions,
                           std::vector<InstitutionInput>& inputs) {
  auto exclusions = ExclusionsFrom(sanctions);
  for (InstitutionInput& in : inputs) {
    auto e = exclusions.find(in.credit_code);
    in.exclusion = e == exclusions.end() ? Exclusion::kNone : e->second.first;
  }
}

absl::Status CheckDefenceEntries(absl::Span<const InstitutionInput> inputs,
                                 const std::set<std::string>& with_entry) {
  std::vector<std::string> missing;
  for (const InstitutionInput& in : inputs) {
    if (in.exclusion == Exclusion::kNone && !with_entry.count(in.credit_code)) {
      missing.push_back(in.credit_code);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return RuleViolation(
      "DEFENCE_NOT_SCORED", "S3",
      absl::StrCat("every institution to rank needs its defence entry; none for ",
                   absl::StrJoin(missing, ", "),
                   " (a sanction lifted since the defence was recorded brings "
                   "an institution back)"),
      absl::StrCat("以下机构尚无答辩成绩，不能排名：", absl::StrJoin(missing, "、")));
}

std::string SanctionFingerprint(absl::Span<const SanctionFact> sanctions,
                                const std::set<std::string>& codes) {
  std::vector<std::string> lines;
  for (const SanctionFact& s : sanctions) {
    if (!codes.count(s.credit_code)) continue;
    lines.push_back(absl::StrCat(s.name, ":", s.credit_code, ":", s.bar ? "BAR" : "CANCEL", ":",
                                 s.lifted ? absl::StrCat("lifted-", s.lift_date) : "in-force"));
  }
  std::sort(lines.begin(), lines.end());
  return absl::StrJoin(lines, ";");
}

absl::Status CheckSanctionsUnchanged(const std::string& at_ranking, const std::string& now) {
  if (at_ranking == now) return absl::OkStatus();
  return RuleViolation(
      "SANCTIONS_CHANGED", "S4",
      "a sanction was imposed or lifted since the ranking was computed: compute the ranking "
      "again, then publish",
      "排名计算后有机构被处罚或解除处罚，请重新计算排名后再公布");
}

InstitutionInput ToInput(const SnapshotInstitution& in,
                         const std::vector<int64_t>& defence_scores_hundredths) {
  InstitutionInput out;
  out.credit_code = in.credit_code;
  out.name = in.display_name;
  out.approved_diagnosis = in.approved_diagnosis;
  out.approved_solution_design = in.approved_solution_design;
  out.declared_projects = in.declared_diagnosis + in.declared_solution_design;
  out.approved_projects = in.approved_diagnosis + in.approved_solution_design;
  out.tests.reserve(in.tests.size());
  for (const SnapshotTest& t : in.tests) {
    out.tests.push_back({t.score_hundredths, t.full_marks_hundredths, t.unexcused_absence,
                         t.no_result_at_close, t.session});
  }
  out.content_ratings = in.content;
  out.result_ratings = in.results;
  out.defence_scores_hundredths = defence_scores_hundredths;
  out.verified_complaints = in.verified_complaints;
  out.exclusion = in.exclusion;
  out.project_source = in.project_source;
  out.exclusion_sanction = in.exclusion_source;
  return out;
}

bool NeedsDefenceEntry(const SnapshotInstitution& in) { return in.exclusion == Exclusion::kNone; }

const ScopeReasonText& DescribeScope(ScopeReason reason) {
  static const ScopeReasonText kIn{"IN_DIRECTORY", "R10.1",
                                   "in the city directory of the year (active or suspended)",
                                   "列入本年度（或上年度）市级服务机构名录"};
  static const ScopeReasonText kSanctioned{
      "REMOVED_BUT_SANCTIONED", "S4",
      "removed from the directory, but barred or cancelled in the year: listed as not ranked",
      "已移出名录，但本年度被禁入或取消资格，列为不参与排名"};
  static const ScopeReasonText kRemoved{
      "REMOVED_FROM_DIRECTORY", "R10.1",
      "every directory entry removed and no sanction in the year: not evaluated",
      "名录资格均已移出且本年度无处理，不参加评价"};
  switch (reason) {
    case ScopeReason::kInDirectory:
      return kIn;
    case ScopeReason::kRemovedButSanctioned:
      return kSanctioned;
    case ScopeReason::kRemovedFromDirectory:
      break;
  }
  return kRemoved;
}

bool InScope(ScopeReason reason) { return reason != ScopeReason::kRemovedFromDirectory; }

absl::Status CheckFreezable(int64_t institutions, int64_t excuses_pending,
                            int64_t test_results_missing) {
  if (institutions == 0) {
    return RuleViolation("NO_INSTITUTIONS_IN_SCOPE", "R10.1",
                         "the snapshot holds no institution: pull the metrics of a non-empty "
                         "directory first",
                         "快照中没有服务机构，请先拉取名录内机构的数据");
  }
  if (excuses_pending > 0) {
    return RuleViolation("EXCUSES_PENDING", "R8.1",
                         absl::StrCat(excuses_pending,
                                      " test absence excuse(s) were undecided at the pull; decide "
                                      "them in the training service and pull again"),
                         "尚有缺考请假未审核，请审核后重新拉取数据再冻结");
  }
  if (test_results_missing > 0) {
    return RuleViolation(
        "TEST_SESSIONS_OPEN", "R8.1",
        absl::StrCat(test_results_missing,
                     " expected test result(s) were missing at sessions still open at the pull; "
                     "record them or close the sessions in the training service and pull again"),
        "尚有测评场次未关闭且缺少成绩，请录入成绩或关闭场次后重新拉取数据再冻结");
  }
  return absl::OkStatus();
}

}  // namespace zhigai::evaluation
