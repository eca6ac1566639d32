#include "services/evaluation/what_if.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "services/evaluation/compute.h"

namespace zhigai::evaluation {
namespace {

RatingCounts FromProto(const v1::RatingCounts& r) {
  return {r.very_satisfied(), r.fairly_satisfied(), r.average(), r.unsatisfied()};
}

// One ScoreInputs field copied into `in`; false for a path that names no field.
using Setter = void (*)(const v1::ScoreInputs&, InstitutionInput&);
const std::map<std::string, Setter, std::less<>>& Setters() {
  static const auto* setters = new std::map<std::string, Setter, std::less<>>{
      {"approved_diagnosis",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.approved_diagnosis = s.approved_diagnosis();
       }},
      {"approved_solution_design",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.approved_solution_design = s.approved_solution_design();
       }},
      {"declared_projects",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.declared_projects = s.declared_projects();
       }},
      {"approved_projects",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.approved_projects = s.approved_projects();
       }},
      {"tests",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.tests.clear();
         for (const v1::TestScore& t : s.tests()) {
           TestResult r;
           r.score_hundredths = t.score_hundredths();
           r.full_marks_hundredths = t.full_marks_hundredths();
           r.unexcused_absence = t.unexcused_absence();
           in.tests.push_back(std::move(r));
         }
       }},
      {"content_ratings",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.content_ratings = FromProto(s.content_ratings());
       }},
      {"result_ratings",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.result_ratings = FromProto(s.result_ratings());
       }},
      {"defence_scores_hundredths",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.defence_scores_hundredths.assign(s.defence_scores_hundredths().begin(),
                                             s.defence_scores_hundredths().end());
       }},
      {"verified_complaints",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.verified_complaints = s.verified_complaints();
       }},
      // Checked before the setter runs (ParseExclusion), so the fallback is never taken.
      {"exclusion",
       [](const v1::ScoreInputs& s, InstitutionInput& in) {
         in.exclusion = ParseExclusion(s.exclusion()).value_or(Exclusion::kNone);
         if (in.exclusion == Exclusion::kNone) in.exclusion_sanction.clear();
       }},
  };
  return *setters;
}

// The score sheet's own checks of one input, reported under `prefix` ("corrections[0].inputs").
void CheckInput(const InstitutionInput& in, const ScoreRules& rules, const std::string& prefix,
                Violations& v) {
  auto sheet = ComputeScoreSheet(in, rules);
  if (sheet.ok()) return;
  for (const FieldViolation& f : ViolationsOf(sheet.status())) {
    v.Add(absl::StrCat(prefix, ".", f.field), f.rule, absl::StrCat(prefix, ": ", f.description));
  }
  if (ViolationsOf(sheet.status()).empty()) {
    v.Add(prefix, "S1", std::string(sheet.status().message()));
  }
}

// Checks each correction (into `v`) and applies those that pass to `inputs`.
void CheckAndApply(const google::protobuf::RepeatedPtrField<v1::InputCorrection>& corrections,
                   const std::map<std::string, size_t>& index, const ScoreRules& rules,
                   std::vector<InstitutionInput>& inputs, Violations& v) {
  std::set<std::string> corrected;
  for (int i = 0; i < corrections.size(); ++i) {
    const v1::InputCorrection& c = corrections[i];
    const std::string at = absl::StrCat("corrections[", i, "]");
    auto found = index.find(c.credit_code());
    if (found == index.end()) {
      v.Add(absl::StrCat(at, ".credit_code"), "R11.1",
            absl::StrCat(at, ".credit_code: ", c.credit_code(), " is not in the round"));
      continue;
    }
    if (!corrected.insert(c.credit_code()).second) {
      v.Add(absl::StrCat(at, ".credit_code"), "AIP-134",
            absl::StrCat(at, ".credit_code: one correction per institution"));
      continue;
    }
    if (c.update_mask().paths().empty()) {
      v.Add(absl::StrCat(at, ".update_mask"), "AIP-134",
            absl::StrCat(at, ".update_mask: name the fields to correct"));
      continue;
    }
    InstitutionInput& in = inputs[found->second];
    bool paths_ok = true;
    for (const std::string& path : c.update_mask().paths()) {
      auto setter = Setters().find(path);
      if (setter == Setters().end()) {
        v.Add(absl::StrCat(at, ".update_mask"), "AIP-134",
              absl::StrCat(at, ".update_mask: \"", path, "\" is not a field of ScoreInputs"));
        paths_ok = false;
        continue;
      }
      if (path == "exclusion" && !ParseExclusion(c.inputs().exclusion())) {
        v.Add(absl::StrCat(at, ".inputs.exclusion"), "R14.5",
              absl::StrCat(at, ".inputs.exclusion: \"", c.inputs().exclusion(),
                           "\" must be \"\", \"BARRED\" or \"CANCELLED\""));
        paths_ok = false;
        continue;
      }
      setter->second(c.inputs(), in);
    }
    if (paths_ok) CheckInput(in, rules, absl::StrCat(at, ".inputs"), v);
  }
}

}  // namespace

absl::Status ApplyStoredCorrections(absl::Span<const v1::InputCorrection> corrections,
                                    std::vector<InstitutionInput>& inputs) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < inputs.size(); ++i) index[inputs[i].credit_code] = i;
  for (const v1::InputCorrection& c : corrections) {
    auto found = index.find(c.credit_code());
    if (found == index.end()) {
      return absl::DataLossError(absl::StrCat("an upheld correction names ", c.credit_code(),
                                              ", which is not in the round"));
    }
    for (const std::string& path : c.update_mask().paths()) {
      auto setter = Setters().find(path);
      if (setter == Setters().end()) {
        return absl::DataLossError(
            absl::StrCat("an upheld correction names the unknown field ", path));
      }
      setter->second(c.inputs(), inputs[found->second]);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<InstitutionInput>> CorrectedInputs(
    std::vector<InstitutionInput> inputs,
    const google::protobuf::RepeatedPtrField<v1::InputCorrection>& corrections,
    const ScoreRules& rules) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < inputs.size(); ++i) index[inputs[i].credit_code] = i;
  Violations v;
  CheckAndApply(corrections, index, rules, inputs, v);
  RETURN_IF_ERROR(v.Finish("更正内容有误"));
  return inputs;
}

absl::StatusOr<Exclusion> ExclusionOfSheet(const v1::ScoreSheet& sheet) {
  if (auto e = ParseExclusion(sheet.exclusion().reason())) return *e;
  return absl::DataLossError(absl::StrCat("stored sheet ", sheet.name(), ": \"",
                                          sheet.exclusion().reason(), "\" is not an exclusion"));
}

std::vector<std::string> ChangedFields(const v1::ScoreSheet& sheet,
                                       const v1::ScoreSheet& recorded) {
  std::vector<std::string> out;
  auto differs = [&](const char* name, bool changed) {
    if (changed) out.push_back(name);
  };
  differs("rank", sheet.rank() != recorded.rank());
  differs("excellent", sheet.excellent() != recorded.excellent());
  differs("decided_by", sheet.decided_by() != recorded.decided_by());
  differs("total", sheet.total() != recorded.total());
  differs("s1", sheet.s1() != recorded.s1());
  differs("s2", sheet.s2() != recorded.s2());
  differs("s3", sheet.s3() != recorded.s3());
  differs("exclusion", sheet.exclusion().reason() != recorded.exclusion().reason());
  differs("verified_complaints", sheet.verified_complaints() != recorded.verified_complaints());
  std::map<std::string, std::string> before;
  for (const v1::ScoreItem& item : recorded.items()) before[item.id()] = item.points_exact();
  for (const v1::ScoreItem& item : sheet.items()) {
    auto it = before.find(item.id());
    if (it == before.end() || it->second != item.points_exact()) {
      out.push_back(absl::StrCat("items[", item.id(), "].points"));
    }
  }
  return out;
}

absl::StatusOr<v1::SimulateRankingResponse> SimulateRanking(
    const WhatIfRound& round, const v1::SimulateRankingRequest& request) {
  if (round.rules == nullptr) return absl::InternalError("SimulateRanking: no rules given");
  const ScoreRules& rules = *round.rules;
  Violations v;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < round.inputs.size(); ++i) index[round.inputs[i].credit_code] = i;
  std::vector<InstitutionInput> inputs = round.inputs;

  CheckAndApply(request.corrections(), index, rules, inputs, v);

  std::set<std::string> hypothetical;
  for (int i = 0; i < request.hypothetical_size(); ++i) {
    const v1::HypotheticalInstitution& h = request.hypothetical(i);
    const std::string at = absl::StrCat("hypothetical[", i, "]");
    if (h.credit_code().empty() || index.count(h.credit_code()) ||
        !hypothetical.insert(h.credit_code()).second) {
      v.Add(absl::StrCat(at, ".credit_code"), "R11.1",
            absl::StrCat(at,
                         ".credit_code: a label not empty and not used by the round or by "
                         "another hypothetical institution"));
      continue;
    }
    if (!ParseExclusion(h.inputs().exclusion())) {
      v.Add(absl::StrCat(at, ".inputs.exclusion"), "R14.5",
            absl::StrCat(at, ".inputs.exclusion: must be \"\", \"BARRED\" or \"CANCELLED\""));
      continue;
    }
    InstitutionInput in;
    in.credit_code = h.credit_code();
    in.name = h.display_name();
    for (const auto& [path, setter] : Setters()) setter(h.inputs(), in);
    CheckInput(in, rules, absl::StrCat(at, ".inputs"), v);
    inputs.push_back(std::move(in));
  }
  if (round.year == 0 && request.hypothetical().empty()) {
    v.Add("hypothetical", "R11.1", "hypothetical: without a round, give at least one institution");
  }
  RETURN_IF_ERROR(v.Finish("模拟参数有误"));

  // Without a stored ranking, the comparison is against what the uncorrected inputs give.
  std::map<std::string, v1::ScoreSheet> baseline;
  const std::map<std::string, v1::ScoreSheet>* recorded = &round.recorded;
  if (round.recorded.empty() && !round.inputs.empty()) {
    ASSIGN_OR_RETURN(ComputedRound before, ComputeRound(round.year, round.inputs, rules));
    for (v1::ScoreSheet& sheet : before.sheets) {
      std::string code = sheet.credit_code();
      baseline.emplace(std::move(code), std::move(sheet));
    }
    recorded = &baseline;
  }

  ASSIGN_OR_RETURN(ComputedRound after, ComputeRound(round.year, inputs, rules));
  v1::SimulateRankingResponse out;
  if (round.year != 0) out.set_round(RoundName(round.year));
  out.set_round_state(round.state);
  out.set_rule_version(rules.version);
  int32_t changed = 0;
  for (v1::ScoreSheet& sheet : after.sheets) {
    v1::SimulatedSheet line;
    const bool is_hypothetical = hypothetical.count(sheet.credit_code()) > 0;
    line.set_hypothetical(is_hypothetical);
    if (is_hypothetical) {
      // No resource and no records behind a fictitious institution.
      sheet.clear_name();
      for (v1::ScoreItem& item : *sheet.mutable_items()) item.clear_sources();
    }
    if (!is_hypothetical) {
      auto it = recorded->find(sheet.credit_code());
      if (it != recorded->end()) {
        for (std::string& f : ChangedFields(sheet, it->second)) line.add_changed_fields(f);
        *line.mutable_recorded() = it->second;
      }
      if (!line.changed_fields().empty()) ++changed;
    }
    if (!request.include_unchanged() && !is_hypothetical && line.changed_fields().empty()) {
      continue;
    }
    *line.mutable_sheet() = std::move(sheet);
    *out.add_sheets() = std::move(line);
  }
  out.set_changed_count(changed);
  return out;
}

}  // namespace zhigai::evaluation
