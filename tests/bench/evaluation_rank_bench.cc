// Score sheets + S4 ranking for a whole round (services/evaluation/domain). The ranking must
// stay O(n log n); the sheets are O(n).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "services/evaluation/domain/ranking.h"
#include "services/evaluation/domain/score_sheet.h"
#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

// Deterministic synthetic institutions with many ties (small ranges) so the tie-breaks run.
std::vector<InstitutionInput> Synthetic(int64_t n) {
  std::mt19937_64 rng(20260101);
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  std::vector<InstitutionInput> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    InstitutionInput in;
    in.credit_code = "BENCH" + std::to_string(1'000'000 + i);
    in.name = "机构" + std::to_string(i);
    in.approved_diagnosis = pick(0, 12);
    in.approved_solution_design = pick(0, 10);
    in.declared_projects = pick(0, 25);
    in.approved_projects = in.declared_projects == 0 ? 0 : pick(0, in.declared_projects);
    for (int64_t t = pick(0, 3); t > 0; --t) in.tests.push_back({pick(0, 100) * 100, 10000});
    in.content_ratings = {pick(0, 4), pick(0, 3), pick(0, 2), pick(0, 1)};
    in.result_ratings = {pick(0, 4), pick(0, 3), pick(0, 2), pick(0, 1)};
    for (int64_t m = pick(0, 5); m > 0; --m)
      in.defence_scores_hundredths.push_back(pick(5000, 10000));
    in.verified_complaints = pick(0, 2);
    if (pick(0, 99) == 0) in.exclusion = Exclusion::kBarred;
    out.push_back(std::move(in));
  }
  return out;
}

void BM_SheetsAndRanking(benchmark::State& state) {
  const std::vector<InstitutionInput> inputs = Synthetic(state.range(0));
  for (auto _ : state) {
    absl::StatusOr<std::vector<ScoreSheet>> sheets = ComputeScoreSheets(inputs, TestRulesV1());
    if (!sheets.ok()) {
      state.SkipWithError("scoring failed");
      break;
    }
    absl::StatusOr<Ranking> ranking = RankInstitutions(*sheets, TestRulesV1());
    benchmark::DoNotOptimize(ranking);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_SheetsAndRanking)
    ->RangeMultiplier(10)
    ->Range(1'000, 100'000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

void BM_RankingOnly(benchmark::State& state) {
  const std::vector<ScoreSheet> sheets =
      *ComputeScoreSheets(Synthetic(state.range(0)), TestRulesV1());
  for (auto _ : state) {
    absl::StatusOr<Ranking> ranking = RankInstitutions(sheets, TestRulesV1());
    benchmark::DoNotOptimize(ranking);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_RankingOnly)
    ->RangeMultiplier(10)
    ->Range(1'000, 100'000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

}  // namespace
}  // namespace zhigai::evaluation

BENCHMARK_MAIN();
