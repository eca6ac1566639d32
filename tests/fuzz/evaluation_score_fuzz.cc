// Evaluation: the annual scores (Attachment 3) and the S4 ranking of a round. No request
// carries an institution's metrics (the service pulls them), so the input drives a structured
// builder of a round's frozen inputs, biased towards the interesting edges (0, the caps, band
// boundaries, huge values). Invariants: a refusal names fields with rule IDs; every item stays
// within 0 and its maximum, S1/S2/S3 and the total add up exactly, the total is at most 100;
// the whole computation is byte-identical when repeated (the replay guarantee); the ranking is
// best-first, competition-ranked, and lists every institution once, the excluded unranked.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/domain/testing/rules.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace zhigai;
using namespace zhigai::evaluation;
using fuzz::Require;

int64_t Count(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return 0;
    case 1:
      return in.ConsumeIntegralInRange<int64_t>(0, 40);
    case 2:
      return 1'000'000;  // the cap
    case 3:
      return in.ConsumeIntegral<int64_t>();  // anything, negative included
    default:
      return in.ConsumeIntegralInRange<int64_t>(0, 200);
  }
}

InstitutionInput Institution(FuzzedDataProvider& in, int index) {
  InstitutionInput x;
  // Mostly distinct codes (a round refuses a code given twice), sometimes a repeat.
  if (in.ConsumeBool()) {
    std::string first17 = absl::StrCat("91330300MA", 1000000 + index);
    x.credit_code = first17 + core::CreditCodeCheckChar(first17).value_or('0');
  } else {
    x.credit_code = in.ConsumeRandomLengthString(20);
  }
  x.name = absl::StrCat("机构", index);  // names come validated from the registry
  x.approved_diagnosis = Count(in);
  x.approved_solution_design = Count(in);
  x.declared_projects = Count(in);
  // Usually the consistent case (approved = both kinds), kept clear of int64 overflow.
  bool small = x.approved_diagnosis >= 0 && x.approved_diagnosis <= 1'000'000 &&
               x.approved_solution_design >= 0 && x.approved_solution_design <= 1'000'000;
  x.approved_projects =
      small && in.ConsumeBool() ? x.approved_diagnosis + x.approved_solution_design : Count(in);
  int tests = in.ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < tests; ++i) {
    int64_t score = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 10000) : Count(in);
    int64_t full = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(1, 10000) : Count(in);
    x.tests.push_back({score, full});
  }
  x.content_ratings = {Count(in), Count(in), Count(in), Count(in)};
  x.result_ratings = {Count(in), Count(in), Count(in), Count(in)};
  int panel = in.ConsumeIntegralInRange<int>(0, 7);
  for (int i = 0; i < panel; ++i) {
    x.defence_scores_hundredths.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange(0, 10000)
                                                           : in.ConsumeIntegral<int64_t>());
  }
  x.verified_complaints = in.ConsumeIntegralInRange<int64_t>(-1, 5);
  x.exclusion = static_cast<Exclusion>(in.ConsumeIntegralInRange<int>(0, 2));
  return x;
}

bool Within(const Rational& value, int64_t max) {
  return value >= Rational::Integer(0) && value <= Rational::Integer(max);
}

void CheckSheet(const ScoreSheet& sheet) {
  for (const auto& item : sheet.items) {
    Require(!item.id.empty() && Within(item.points, item.max_points), "an item outside its max");
  }
  auto s1 = Sum(sheet.items[kS1_1].points, sheet.items[kS1_2].points);
  s1 = s1 ? Sum(*s1, sheet.items[kS1_3].points) : s1;
  auto s2 = Sum(sheet.items[kS2_1].points, sheet.items[kS2_2].points);
  Require(s1 && *s1 == sheet.s1 && s2 && *s2 == sheet.s2 && sheet.items[kS3].points == sheet.s3,
          "the S1/S2/S3 subtotals do not add up");
  auto total = Sum(sheet.s1, sheet.s2);
  total = total ? Sum(*total, sheet.s3) : total;
  Require(total && *total == sheet.total && Within(sheet.total, 100), "the total does not add up");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<InstitutionInput> inputs;
  int n = in.ConsumeIntegralInRange<int>(1, 14);
  for (int i = 0; i < n && in.remaining_bytes() > 0; ++i) inputs.push_back(Institution(in, i));
  if (inputs.empty()) return 0;

  auto sheets = ScoreRound(inputs, TestRulesV1());
  fuzz::RequireExplained(sheets.status());
  if (!sheets.ok()) {
    Require(sheets.status().code() == absl::StatusCode::kInvalidArgument ||
                sheets.status().code() == absl::StatusCode::kOutOfRange,
            "a round refused with an unexpected code");
    return 0;
  }
  Require(sheets->size() == inputs.size(), "a sheet was lost");
  for (const auto& sheet : *sheets) CheckSheet(sheet);

  auto ranking = RankRound(*sheets, TestRulesV1());
  fuzz::RequireExplained(ranking.status());
  if (!ranking.ok()) return 0;
  std::set<std::string> listed;
  for (size_t i = 0; i < ranking->ranked.size(); ++i) {
    const auto& r = ranking->ranked[i];
    Require(listed.insert(r.credit_code).second, "an institution ranked twice");
    if (i == 0) {
      Require(r.rank == 1, "the first is not ranked 1");
      continue;
    }
    const auto& above = ranking->ranked[i - 1];
    Require(above.total >= r.total, "the ranking is not best first");
    Require(r.rank ==
                (r.decided_by == DecidedBy::kSharedRank ? above.rank : static_cast<int64_t>(i) + 1),
            "not a competition ranking");
  }
  for (const auto& u : ranking->not_ranked) {
    Require(u.exclusion != Exclusion::kNone, "an unranked institution is not excluded");
    Require(listed.insert(u.credit_code).second, "an institution both ranked and not");
  }
  Require(listed.size() == inputs.size(), "the ranking lost an institution");

  // Replay: the same frozen inputs give byte-identical results.
  auto first = ComputeRound(2025, inputs, TestRulesV1());
  auto second = ComputeRound(2025, inputs, TestRulesV1());
  Require(first.ok() && second.ok(), "a round that scores and ranks does not compute");
  Require(first->ranking_csv == second->ranking_csv && first->ranking_json == second->ranking_json,
          "the ranking export is not reproducible");
  Require(first->sheets.size() == second->sheets.size(), "sheet counts differ on replay");
  for (size_t i = 0; i < first->sheets.size(); ++i) {
    Require(first->sheets[i].SerializeAsString() == second->sheets[i].SerializeAsString(),
            "a sheet is not reproducible");
  }
  return 0;
}
