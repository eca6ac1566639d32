// A round's sheets and ranking from its inputs: the domain's score sheets and S4 ranking, put
// in ranking order as wire messages, with the ranking's exports. Pure: the same inputs give
// byte-identical results (the replay guarantee), which is why the sheets' CSV/JSON export
// (tens of MiB for a large round) is not stored but recomputed from the frozen inputs.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/evaluation/domain/ranking.h"
#include "services/evaluation/domain/score_sheet.h"
#include "zhigai/evaluation/v1/evaluation.pb.h"

namespace zhigai::evaluation {

struct ComputedRound {
  // Ranking order: ranked best first, then the not ranked by credit code.
  std::vector<v1::ScoreSheet> sheets;
  std::string ranking_csv, ranking_json;
};

// The three steps, separately callable so the benchmark can time each.
absl::StatusOr<std::vector<ScoreSheet>> ScoreRound(absl::Span<const InstitutionInput> inputs,
                                                   const ScoreRules& rules);
absl::StatusOr<Ranking> RankRound(absl::Span<const ScoreSheet> sheets, const ScoreRules& rules);
ComputedRound AssembleRound(int year, absl::Span<const ScoreSheet> sheets, const Ranking& ranking);

// All three, under the rule set the round records (its version, never the latest).
absl::StatusOr<ComputedRound> ComputeRound(int year, absl::Span<const InstitutionInput> inputs,
                                           const ScoreRules& rules);

// Every item of every sheet (ExportScoreSheets SCORE_SHEETS), in credit-code order.
absl::StatusOr<std::string> ExportSheets(absl::Span<const InstitutionInput> inputs,
                                         const ScoreRules& rules, bool csv);

// "169/20", or "8" for a whole number.
std::string ExactText(const Rational& value);

// The public line of a sheet (no items).
v1::RankingEntry RankingEntryOf(const v1::ScoreSheet& sheet);

std::string RoundName(int year);
std::string SheetName(int year, const std::string& credit_code);

}  // namespace zhigai::evaluation
