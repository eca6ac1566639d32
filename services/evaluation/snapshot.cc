#include "services/evaluation/snapshot.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::evaluation {

std::map<std::string, std::pair<Exclusion, std::string>> ExclusionsFrom(
    absl::Span<const SanctionFact> sanctions) {
  std::map<std::string, std::pair<Exclusion, std::string>> out;
  for (const SanctionFact& s : sanctions) {
    if (s.lifted) continue;
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
    out.tests.push_back({t.score_hundredths, t.full_marks_hundredths});
  }
  out.content_ratings = in.content;
  out.result_ratings = in.results;
  out.defence_scores_hundredths = defence_scores_hundredths;
  out.verified_complaints = in.verified_complaints;
  out.exclusion = in.exclusion;
  return out;
}

bool NeedsDefenceEntry(const SnapshotInstitution& in) { return in.exclusion == Exclusion::kNone; }

absl::Status CheckFreezable(int64_t institutions, int64_t excuses_pending) {
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
  return absl::OkStatus();
}

}  // namespace zhigai::evaluation
