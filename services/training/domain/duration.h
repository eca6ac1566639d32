// R13.1 duration: an event fits in half a day; with a special reason approved by the bureau
// it may take one day, on the same date.
#pragma once

#include <cstdint>

#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"

namespace zhigai::training {

// R13.1 Decision: half a day is at most 4 hours.
inline constexpr int64_t kHalfDayMinutes = 4 * 60;
// One day, the longest an approved special case may take.
inline constexpr int64_t kFullDayMinutes = 8 * 60;

// Check "DURATION". Expects ValidateEvent to have passed (ends_at after starts_at).
// Fails with EVENT_CROSSES_MIDNIGHT, DURATION_NEEDS_APPROVED_REASON (over 4h without an
// approved reason) or DURATION_OVER_ONE_DAY (over 8h).
RuleOutcome CheckDuration(const TrainingEvent& event);

}  // namespace zhigai::training
