// What if (issue 26 items 2 and 3): the sheets and ranking a round would have with corrected
// inputs, compared line by line with the ranking it has, and the sheet of a fictitious
// institution from explicit inputs. Pure: the caller loads the round; nothing is written, so a
// bureau can see what upholding an objection would change before deciding.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/evaluation/domain/score_sheet.h"
#include "zhigai/evaluation/v1/evaluation.pb.h"

namespace zhigai::evaluation {

struct WhatIfRound {
  int year = 0;  // 0: no round, only hypothetical institutions
  v1::RoundState state = v1::ROUND_STATE_UNSPECIFIED;
  // The round's inputs with the exclusions its ranking used (a ranked round's stored sheets
  // say which; an unranked round's are the sanctions in force now, as ComputeRanking reads).
  std::vector<InstitutionInput> inputs;
  // The stored ranking's sheets by credit code; empty when the round is not ranked yet, and the
  // comparison is then against the uncorrected inputs.
  std::map<std::string, v1::ScoreSheet> recorded;
  int64_t version = 0;  // the round's version when loaded
  // The rules it is scored under: the round's recorded version, or for hypothetical
  // institutions alone the version asked for. Never null when simulating.
  const ScoreRules* rules = nullptr;
};

// Applies corrections that were checked when they were upheld (SimulateRanking's checks) to
// `inputs`, in order; DATA_LOSS if one no longer fits (an institution not in the round, an
// unknown path): stored corrections are never silently skipped.
absl::Status ApplyStoredCorrections(absl::Span<const v1::InputCorrection> corrections,
                                    std::vector<InstitutionInput>& inputs);

// `inputs` with `corrections` applied, after SimulateRanking's checks (INVALID_ARGUMENT naming
// every bad field).
absl::StatusOr<std::vector<InstitutionInput>> CorrectedInputs(
    std::vector<InstitutionInput> inputs,
    const google::protobuf::RepeatedPtrField<v1::InputCorrection>& corrections,
    const ScoreRules& rules);

// INVALID_ARGUMENT naming every bad field of `request` (a correction of an institution not in
// the round or given twice, an unknown or empty update_mask, a hypothetical label that is
// empty or taken, an input the score sheet refuses); otherwise the simulated ranking.
absl::StatusOr<v1::SimulateRankingResponse> SimulateRanking(
    const WhatIfRound& round, const v1::SimulateRankingRequest& request);

// The fields of `sheet` that differ from `recorded` (SimulatedSheet.changed_fields).
std::vector<std::string> ChangedFields(const v1::ScoreSheet& sheet, const v1::ScoreSheet& recorded);

// The exclusion a stored sheet records ("" / "BARRED" / "CANCELLED").
absl::StatusOr<Exclusion> ExclusionOfSheet(const v1::ScoreSheet& sheet);

}  // namespace zhigai::evaluation
