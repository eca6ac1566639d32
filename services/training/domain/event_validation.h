// Input checks on a TrainingEvent before any rule is judged: values no rule can interpret
// (an end before the start, a negative fee, more satisfied ratings than ratings) are bad
// input, not a failed rule.
#pragma once

#include "absl/status/status.h"
#include "services/training/domain/event.h"

namespace zhigai::training {

// INVALID_ARGUMENT listing every bad field (field paths as in the proto: "ends_at",
// "attendance[2].people", "ratings.satisfied"), or OK.
absl::Status ValidateEvent(const TrainingEvent& event);

}  // namespace zhigai::training
