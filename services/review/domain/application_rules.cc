#include "services/review/domain/application_rules.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"
#include "libs/core/versioned_rules.h"

namespace zhigai::review {
namespace {

struct Field {
  const char* name;
  int ApplicationRules::*member;
  int low, high;
};

constexpr Field kFields[] = {
    {"r5_2.default_track_record_threshold", &ApplicationRules::default_track_record_threshold, 0,
     100},
    {"r5_3.min_qualified_resident_staff", &ApplicationRules::min_qualified_resident_staff, 1, 100},
    {"r5_3.bachelor_min_full_years", &ApplicationRules::bachelor_min_full_years, 0, 50},
    {"r5_3.master_min_full_years", &ApplicationRules::master_min_full_years, 0, 50},
};

}  // namespace

absl::StatusOr<std::vector<ApplicationRules>> ParseApplicationRules(absl::string_view content,
                                                                    absl::string_view source) {
  std::set<std::string> names;
  for (const Field& f : kFields) names.insert(f.name);
  ASSIGN_OR_RETURN(std::vector<core::RuleVersion> versions,
                   core::ParseRuleVersions(content, source, names));
  std::vector<ApplicationRules> out;
  for (const core::RuleVersion& version : versions) {
    ApplicationRules& r = out.emplace_back();
    r.version = version.version;
    r.effective_from = version.effective_from;
    for (const Field& f : kFields) {
      ASSIGN_OR_RETURN(int64_t n, core::RuleNumber(version, f.name, f.low, f.high, source));
      r.*f.member = static_cast<int>(n);
    }
    if (r.master_min_full_years > r.bachelor_min_full_years) {
      return core::TsvError(source, version.values.at("r5_3.master_min_full_years").line,
                            "a master's degree cannot ask for more years than a bachelor's");
    }
  }
  return out;
}

absl::StatusOr<std::vector<ApplicationRules>> LoadApplicationRules(absl::string_view path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadRuleFile(path));
  return ParseApplicationRules(text, path);
}

absl::StatusOr<const ApplicationRules*> ApplicationRulesForYear(
    const std::vector<ApplicationRules>& versions, int year) {
  if (const ApplicationRules* found = core::InForceOn(versions, absl::CivilDay(year, 1, 1))) {
    return found;
  }
  return RuleViolation("APPLICATION_RULES_NOT_IN_FORCE", "R5.2",
                       absl::StrCat("no version of the application rules is in force on 1 "
                                    "January ",
                                    year),
                       absl::StrCat(year, "年1月1日无适用的申报条件规则"));
}

absl::StatusOr<const ApplicationRules*> ApplicationRulesVersion(
    const std::vector<ApplicationRules>& versions, int version) {
  if (const ApplicationRules* found = core::Numbered(versions, version)) return found;
  return RuleViolation("APPLICATION_RULES_VERSION_MISSING", "R5.2",
                       absl::StrCat("the call was decided under version ", version,
                                    " of the application rules, which the service does not have"),
                       absl::StrCat("缺少第", version, "版申报条件规则"));
}

}  // namespace zhigai::review
