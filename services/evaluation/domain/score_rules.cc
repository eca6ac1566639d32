#include "services/evaluation/domain/score_rules.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"
#include "libs/core/versioned_rules.h"

namespace zhigai::evaluation {
namespace {

// How a banded item's inequalities read: the variable and the unit, in each language.
struct BandWords {
  absl::string_view var_en, unit_en, var_zh, unit_zh;
};
constexpr BandWords kPassRateWords = {"rate", "%", "合格率", "%"};
constexpr BandWords kDefenceWords = {"s", "", "s", "分"};

// "60% < rate ≤ 70%" / "60%<合格率≤70%" from the bounds, so the text can never disagree with
// the comparison.
void NameBands(BandTable& table, const BandWords& w) {
  const BandTable::Bounded* previous = nullptr;
  for (BandTable::Bounded& b : table.bands) {
    const absl::string_view upper = b.inclusive ? "≤" : "<";
    std::string lower_en, lower_zh;
    if (previous != nullptr) {
      const absl::string_view op = previous->inclusive ? "<" : "≤";
      lower_en = absl::StrCat(previous->bound, w.unit_en, " ", op, " ");
      lower_zh = absl::StrCat(previous->bound, w.unit_zh, op);
    }
    b.band.english = absl::StrCat(lower_en, w.var_en, " ", upper, " ", b.bound, w.unit_en);
    b.band.chinese = absl::StrCat(lower_zh, w.var_zh, upper, b.bound, w.unit_zh);
    previous = &b;
  }
  if (previous != nullptr) {
    const absl::string_view op = previous->inclusive ? ">" : "≥";
    table.top.english = absl::StrCat(w.var_en, " ", op, " ", previous->bound, w.unit_en);
    table.top.chinese = absl::StrCat(w.var_zh, op, previous->bound, w.unit_zh);
  }
}

// "<50:0 <=60:2 … else:10": bounds strictly increasing within 0..100, points within 0..max and
// never falling, exactly one "else" and last.
absl::Status ParseBands(absl::string_view text, int64_t max, BandTable& out) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.empty()) return absl::InvalidArgumentError("no bands");
  int64_t last_bound = -1, last_points = -1;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<absl::string_view> kv = absl::StrSplit(parts[i], ':');
    int64_t points = 0;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &points) || points < 0 || points > max ||
        points < last_points) {
      return absl::InvalidArgumentError(absl::StrCat("band \"", parts[i], "\": points must be 0..",
                                                     max, " and never fall band to band"));
    }
    last_points = points;
    if (kv[0] == "else") {
      if (i + 1 != parts.size() || i == 0) {
        return absl::InvalidArgumentError("\"else\" must be the last band, after one bound");
      }
      out.top.points = points;
      return absl::OkStatus();
    }
    BandTable::Bounded b;
    absl::string_view bound = kv[0];
    if (absl::ConsumePrefix(&bound, "<=")) {
      b.inclusive = true;
    } else if (!absl::ConsumePrefix(&bound, "<")) {
      return absl::InvalidArgumentError(
          absl::StrCat("band \"", parts[i], "\": a bound starts with < or <="));
    }
    if (!absl::SimpleAtoi(bound, &b.bound) || b.bound <= last_bound || b.bound < 0 ||
        b.bound > 100) {
      return absl::InvalidArgumentError(
          absl::StrCat("band \"", parts[i], "\": bounds must increase within 0..100"));
    }
    last_bound = b.bound;
    b.band.points = points;
    out.bands.push_back(std::move(b));
  }
  return absl::InvalidArgumentError("the last band must be \"else:<points>\"");
}

absl::StatusOr<int64_t> Number(absl::string_view text, int64_t low, int64_t high) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < low || v > high) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" must be a whole number from ", low, " to ", high));
  }
  return v;
}

// How a parameter's value is read into a version. Bands have none here: they are checked
// against their item's maximum, so they are read once the whole version is known.
struct Parameter {
  std::function<absl::Status(absl::string_view, ScoreRules&)> read;
};

const std::map<std::string, Parameter, std::less<>>& Parameters() {
  auto number = [](int64_t ScoreRules::*field, int64_t low, int64_t high) {
    return Parameter{[=](absl::string_view v, ScoreRules& r) -> absl::Status {
      ASSIGN_OR_RETURN(auto n, Number(v, low, high));
      r.*field = n;
      return absl::OkStatus();
    }};
  };
  static const auto* parameters = new std::map<std::string, Parameter, std::less<>>{
      {"source", {[](absl::string_view v, ScoreRules& r) -> absl::Status {
         if (v.empty()) return absl::InvalidArgumentError("name the text this version follows");
         r.source = std::string(v);
         return absl::OkStatus();
       }}},
      {"s1_1.diagnosis_points", number(&ScoreRules::diagnosis_points, 0, 100)},
      {"s1_1.solution_design_points", number(&ScoreRules::solution_design_points, 0, 100)},
      {"s1_1.cap", number(&ScoreRules::s1_1_cap, 0, 100)},
      {"s1_2.max", number(&ScoreRules::s1_2_max, 0, 100)},
      {"s1_2.bands", {nullptr}},  // second pass
      {"s1_3.max", number(&ScoreRules::s1_3_max, 0, 100)},
      {"s2.max", number(&ScoreRules::s2_max, 0, 100)},
      {"s2.rating_points", {[](absl::string_view v, ScoreRules& r) -> absl::Status {
         std::vector<absl::string_view> p = absl::StrSplit(v, ' ', absl::SkipEmpty());
         if (p.size() != 4) {
           return absl::InvalidArgumentError(
               "four points: very satisfied, fairly satisfied, average, unsatisfied");
         }
         int64_t* out[] = {&r.very_satisfied_points, &r.fairly_satisfied_points, &r.average_points,
                           &r.unsatisfied_points};
         for (int i = 0; i < 4; ++i) {
           ASSIGN_OR_RETURN(auto n, Number(p[i], 0, 100));
           *out[i] = n;
         }
         return absl::OkStatus();
       }}},
      {"s3.max", number(&ScoreRules::s3_max, 0, 100)},
      {"s3.bands", {nullptr}},  // second pass
      {"s4.excellent_places", number(&ScoreRules::excellent_places, 1, 1000)},
      {"s4.tie_break", {[](absl::string_view v, ScoreRules& r) -> absl::Status {
         static constexpr std::pair<absl::string_view, TieBreaker> kNames[] = {
             {"S1", TieBreaker::kS1},
             {"S3", TieBreaker::kS3},
             {"S2", TieBreaker::kS2},
             {"COMPLAINTS", TieBreaker::kComplaints}};
         const absl::Status wrong = absl::InvalidArgumentError(
             "each of S1, S2, S3 and COMPLAINTS once, in the order they break ties");
         std::vector<absl::string_view> words = absl::StrSplit(v, ' ', absl::SkipEmpty());
         if (words.size() != std::size(kNames)) return wrong;
         for (absl::string_view word : words) {
           const auto* known = std::find_if(std::begin(kNames), std::end(kNames),
                                            [&](const auto& n) { return n.first == word; });
           if (known == std::end(kNames) || std::find(r.tie_break.begin(), r.tie_break.end(),
                                                      known->second) != r.tie_break.end()) {
             return wrong;
           }
           r.tie_break.push_back(known->second);
         }
         return absl::OkStatus();
       }}},
  };
  return *parameters;
}

}  // namespace

absl::StatusOr<std::vector<ScoreRules>> ParseScoreRules(absl::string_view content,
                                                        absl::string_view source) {
  std::set<std::string> names;
  for (const auto& [name, parameter] : Parameters()) names.insert(name);
  ASSIGN_OR_RETURN(std::vector<core::RuleVersion> versions,
                   core::ParseRuleVersions(content, source, names));
  std::vector<ScoreRules> out;
  for (const core::RuleVersion& version : versions) {
    ScoreRules& r = out.emplace_back();
    r.version = version.version;
    r.effective_from = version.effective_from;
    const auto& values = version.values;
    for (const auto& [name, parameter] : Parameters()) {
      if (!parameter.read) continue;  // bands: below
      const core::RuleValue& v = values.at(name);
      if (absl::Status s = parameter.read(v.value, r); !s.ok()) {
        return core::TsvError(source, v.line, absl::StrCat(name, ": ", s.message()));
      }
    }
    // Bands last: they are checked against their item's maximum.
    for (auto [name, max, table, words] :
         {std::tuple{"s1_2.bands", r.s1_2_max, &r.pass_rate, &kPassRateWords},
          std::tuple{"s3.bands", r.s3_max, &r.defence, &kDefenceWords}}) {
      const core::RuleValue& v = values.at(name);
      if (absl::Status s = ParseBands(v.value, max, *table); !s.ok()) {
        return core::TsvError(source, v.line, absl::StrCat(name, ": ", s.message()));
      }
      NameBands(*table, *words);
    }
    const int64_t total = r.s1_1_cap + r.s1_2_max + r.s1_3_max + 2 * r.s2_max + r.s3_max;
    if (total != 100) {
      return core::TsvError(source, values.at("s3.max").line,
                            absl::StrCat("version ", r.version, ": the maxima add up to ", total,
                                         ", not 100 (R11.1)"));
    }
    for (int64_t p : {r.very_satisfied_points, r.fairly_satisfied_points, r.average_points,
                      r.unsatisfied_points}) {
      if (p > r.s2_max) {
        return core::TsvError(
            source, values.at("s2.rating_points").line,
            absl::StrCat("a rating cannot give more than s2.max (", r.s2_max, ")"));
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<ScoreRules>> LoadScoreRules(absl::string_view path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadRuleFile(path));
  return ParseScoreRules(text, path);
}

absl::StatusOr<const ScoreRules*> RulesForYear(const std::vector<ScoreRules>& versions, int year) {
  const ScoreRules* found = core::InForceOn(versions, absl::CivilDay(year, 1, 1));
  if (found == nullptr) {
    return Error(
        absl::StatusCode::kNotFound, "RULES_NOT_IN_FORCE",
        absl::StrCat("no version of the score-sheet rules is in force on ", year, "-01-01"),
        absl::StrCat(year, "年1月1日无适用的考核评分规则"), "R11.1");
  }
  return found;
}

absl::StatusOr<const ScoreRules*> RulesVersion(const std::vector<ScoreRules>& versions,
                                               int version) {
  if (const ScoreRules* found = core::Numbered(versions, version)) return found;
  return Error(absl::StatusCode::kNotFound, "RULES_VERSION_MISSING",
               absl::StrCat("the score-sheet rules have no version ", version,
                            "; a round recorded under it cannot be replayed"),
               absl::StrCat("考核评分规则缺少第", version, "版"), "R11.1");
}

}  // namespace zhigai::evaluation
