// Automatic expert assignment (R7.1): k conflict-free experts per application, spreading
// the load over the pool.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/review/domain/conflict.h"

namespace zhigai::review {

struct ExpertAssignment {
  std::string application_id;
  std::vector<std::string> expert_ids;  // exactly k, distinct, none in conflict
};

// Greedy: applications with the fewest conflict-free experts are served first; each takes
// the k least-loaded conflict-free experts (ties: pool order). Without conflicts the loads
// differ by at most one. Result in the order of `applications`. Deterministic.
// INVALID_ARGUMENT for k < 1 or repeated ids; FAILED_PRECONDITION (NOT_ENOUGH_EXPERTS)
// naming every application that has fewer than k conflict-free experts in the pool.
absl::StatusOr<std::vector<ExpertAssignment>> AssignExperts(
    const std::vector<Expert>& pool, const std::vector<ReviewedApplication>& applications,
    int experts_per_application);

}  // namespace zhigai::review
