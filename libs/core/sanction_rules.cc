#include "libs/core/sanction_rules.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"
#include "libs/core/versioned_rules.h"

namespace zhigai::core {
namespace {

struct Field {
  const char* name;
  int SanctionRules::*member;
  int low, high;
};

// A bar of more than ten years or a threshold of one complaint would be a typo, not a revision.
constexpr Field kFields[] = {
    {"r14_5.bar_years", &SanctionRules::bar_years, 1, 10},
    {"r14_5.bar_distinct_enterprises", &SanctionRules::bar_distinct_enterprises, 2, 100},
    {"r14_5.bar_complaints_from_one_enterprise", &SanctionRules::bar_complaints_from_one_enterprise,
     2, 100},
};

}  // namespace

absl::StatusOr<std::vector<SanctionRules>> ParseSanctionRules(absl::string_view content,
                                                              absl::string_view source) {
  std::set<std::string> names;
  for (const Field& f : kFields) names.insert(f.name);
  ASSIGN_OR_RETURN(std::vector<RuleVersion> versions, ParseRuleVersions(content, source, names));
  std::vector<SanctionRules> out;
  for (const RuleVersion& version : versions) {
    SanctionRules& r = out.emplace_back();
    r.version = version.version;
    r.effective_from = version.effective_from;
    for (const Field& f : kFields) {
      ASSIGN_OR_RETURN(int64_t n, RuleNumber(version, f.name, f.low, f.high, source));
      r.*f.member = static_cast<int>(n);
    }
  }
  return out;
}

absl::StatusOr<std::vector<SanctionRules>> LoadSanctionRules(absl::string_view path) {
  ASSIGN_OR_RETURN(std::string text, ReadRuleFile(path));
  return ParseSanctionRules(text, path);
}

const SanctionRules* SanctionRulesIn(const std::vector<SanctionRules>& versions,
                                     absl::CivilDay day) {
  return InForceOn(versions, day);
}

absl::StatusOr<const SanctionRules*> SanctionRulesOn(const std::vector<SanctionRules>& versions,
                                                     absl::CivilDay day) {
  if (const SanctionRules* r = SanctionRulesIn(versions, day)) return r;
  return RuleViolation(
      "SANCTION_RULES_NOT_IN_FORCE", "R14.5",
      absl::StrCat("no version of the sanction rules is in force on ", FormatDate(day)),
      absl::StrCat(FormatDate(day), "无适用的处理规则"));
}

}  // namespace zhigai::core
