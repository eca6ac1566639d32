#include "libs/core/versioned_rules.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"

namespace zhigai::core {

absl::StatusOr<std::vector<RuleVersion>> ParseRuleVersions(absl::string_view content,
                                                           absl::string_view source,
                                                           const std::set<std::string>& names) {
  ASSIGN_OR_RETURN(auto rows,
                   ParseTsv(content, source, {"version", "parameter", "value", "source"}));
  std::vector<RuleVersion> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string>& row = (rows)[i];
    const std::size_t line = i + 2;
    auto fail = [&](absl::string_view problem) { return TsvError(source, line, problem); };
    int version = 0;
    if (!absl::SimpleAtoi(row[0], &version) || version < 1) {
      return fail("version must be a whole number from 1");
    }
    if (version == static_cast<int>(out.size()) + 1) {
      RuleVersion& v = out.emplace_back();
      v.version = version;
      v.first_line = line;
    } else if (version != static_cast<int>(out.size())) {
      return fail(absl::StrCat("versions are numbered 1, 2, … and listed in order; expected ",
                               out.size(), " or ", out.size() + 1, ", not ", version));
    }
    if (row[1] != "effective_from" && !names.count(row[1])) {
      return fail(absl::StrCat("unknown parameter \"", row[1], "\""));
    }
    if (!out.back().values.emplace(row[1], RuleValue{row[2], line}).second) {
      return fail(absl::StrCat("\"", row[1], "\" is given twice in version ", version));
    }
    if (row[1] == "effective_from") {
      auto day = ParseDate(row[2], "effective_from");
      if (!day.ok()) return fail("effective_from: a date YYYY-MM-DD");
      out.back().effective_from = *day;
    }
  }
  if (out.empty()) return TsvError(source, 1, "no version");
  for (std::size_t v = 0; v < out.size(); ++v) {
    const RuleVersion& r = out[v];
    std::set<std::string> wanted = names;
    wanted.insert("effective_from");
    for (const std::string& name : wanted) {
      if (!r.values.count(name)) {
        return TsvError(source, r.first_line,
                        absl::StrCat("version ", r.version, " lacks \"", name, "\""));
      }
    }
    if (v > 0 && r.effective_from <= out[v - 1].effective_from) {
      return TsvError(source, r.values.at("effective_from").line,
                      "effective_from must be later than the previous version's");
    }
  }
  return out;
}

absl::StatusOr<std::string> ReadRuleFile(absl::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the rule file"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<int64_t> RuleNumber(const RuleVersion& version, const std::string& name, int64_t low,
                                   int64_t high, absl::string_view source) {
  const RuleValue& v = version.values.at(name);
  int64_t n = 0;
  if (!absl::SimpleAtoi(v.value, &n) || n < low || n > high) {
    return TsvError(
        source, v.line,
        absl::StrCat(name, ": \"", v.value, "\" must be a whole number from ", low, " to ", high));
  }
  return n;
}

}  // namespace zhigai::core
