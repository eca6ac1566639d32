// R13.4 trainee satisfaction: satisfied ratings / all ratings below 80% means no subsidy.
#pragma once

#include <cstdint>

#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"
#include "services/training/domain/training_rules.h"

namespace zhigai::training {

// Check "SATISFACTION": passes iff satisfied * 100 >= total * 80 (exact, integers; 80%
// passes, 79.99% fails). Fails with SATISFACTION_BELOW_80, or NO_RATINGS when no rating was
// received (see the decision in satisfaction.cc).
RuleOutcome CheckSatisfaction(const RatingCounts& ratings, const TrainingRules& rules);

}  // namespace zhigai::training
