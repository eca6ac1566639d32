// R7.1 择优: selection per direction among the applications eligible for it and scored,
// by the call's rule for that direction: the top N (quota) or everyone at or above a
// cut-off. At a quota boundary tie the call's tie policy decides: ALL_IN selects every
// applicant tied on the last place, ALL_OUT selects none of them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/review/domain/call.h"
#include "services/review/domain/scoring.h"

namespace zhigai::review {

struct ScoredApplication {
  std::string application_id;
  ApplicationScore score;
};

struct RankedApplication {
  std::string application_id;
  ApplicationScore score;
  int rank = 0;  // 1-based; equal scores share a rank (1, 2, 2, 4)
  bool selected = false;
};

struct SelectionResult {
  std::vector<RankedApplication> ranking;  // best first; equal scores by application id
  bool boundary_tie = false;  // quota only: the tie on the last place straddled the quota
  int selected_count = 0;
};

// INVALID_ARGUMENT when the call does not open `direction` or an id repeats;
// FAILED_PRECONDITION (NO_EXPERT_SCORES) naming an application without counted scores.
absl::StatusOr<SelectionResult> SelectApplicants(const Call& call, Direction direction,
                                                 const std::vector<ScoredApplication>& scored);

}  // namespace zhigai::review
