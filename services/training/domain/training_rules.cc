#include "services/training/domain/training_rules.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"
#include "libs/core/versioned_rules.h"

namespace zhigai::training {
namespace {

struct Field {
  int64_t TrainingRules::*member;
  int64_t low, high;
};

const std::map<std::string, Field>& Fields() {
  static const auto* fields = new std::map<std::string, Field>{
      {"r13_1.half_day_minutes", {&TrainingRules::half_day_minutes, 1, 24 * 60}},
      {"r13_1.full_day_minutes", {&TrainingRules::full_day_minutes, 1, 24 * 60}},
      {"r13_2.min_participants", {&TrainingRules::min_participants, 1, 100000}},
      {"r13_2.min_lecture_or_forum_participants",
       {&TrainingRules::min_lecture_or_forum_participants, 1, 100000}},
      {"r13_2.min_enterprises_of_one_industry",
       {&TrainingRules::min_enterprises_of_one_industry, 1, 100000}},
      {"r13_2.min_participants_of_one_industry",
       {&TrainingRules::min_participants_of_one_industry, 1, 100000}},
      {"r13_4.min_satisfaction_percent", {&TrainingRules::min_satisfaction_percent, 0, 100}},
  };
  return *fields;
}

}  // namespace

absl::StatusOr<std::vector<TrainingRules>> ParseTrainingRules(absl::string_view content,
                                                              absl::string_view source) {
  std::set<std::string> names = {"r13_4.filing_working_days"};
  for (const auto& [name, field] : Fields()) names.insert(name);
  ASSIGN_OR_RETURN(std::vector<core::RuleVersion> versions,
                   core::ParseRuleVersions(content, source, names));
  std::vector<TrainingRules> out;
  for (const core::RuleVersion& version : versions) {
    TrainingRules& r = out.emplace_back();
    r.version = version.version;
    r.effective_from = version.effective_from;
    for (const auto& [name, field] : Fields()) {
      ASSIGN_OR_RETURN(r.*field.member,
                       core::RuleNumber(version, name, field.low, field.high, source));
    }
    ASSIGN_OR_RETURN(int64_t days,
                     core::RuleNumber(version, "r13_4.filing_working_days", 0, 250, source));
    r.filing_working_days = static_cast<int>(days);
    auto line = [&](const char* name) { return version.values.at(name).line; };
    if (r.full_day_minutes < r.half_day_minutes) {
      return core::TsvError(source, line("r13_1.full_day_minutes"),
                            "a special case's day cannot be shorter than half a day");
    }
    if (r.min_participants_of_one_industry > r.min_participants) {
      return core::TsvError(source, line("r13_2.min_participants_of_one_industry"),
                            "the one-industry alternative cannot ask for more participants than "
                            "r13_2.min_participants");
    }
  }
  return out;
}

absl::StatusOr<std::vector<TrainingRules>> LoadTrainingRules(absl::string_view path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadRuleFile(path));
  return ParseTrainingRules(text, path);
}

absl::StatusOr<const TrainingRules*> TrainingRulesOn(const std::vector<TrainingRules>& versions,
                                                     absl::CivilDay day) {
  const TrainingRules* found = core::InForceOn(versions, day);
  if (found == nullptr) {
    return RuleViolation(
        "TRAINING_RULES_NOT_IN_FORCE", "R13.0",
        absl::StrCat("no version of the training rules is in force on ", core::FormatDate(day)),
        absl::StrCat(core::FormatDate(day), "无适用的培训规则"));
  }
  return found;
}

absl::StatusOr<const TrainingRules*> TrainingRulesVersion(
    const std::vector<TrainingRules>& versions, int version) {
  if (const TrainingRules* found = core::Numbered(versions, version)) return found;
  return RuleViolation("TRAINING_RULES_VERSION_MISSING", "R13.0",
                       absl::StrCat("the event was planned under version ", version,
                                    " of the training rules, which the service does not have"),
                       absl::StrCat("缺少第", version, "版培训规则"));
}

}  // namespace zhigai::training
