// R13.1 duration: an event fits in half a day; with a special reason approved by the bureau
// it may take one day, on the same date.
#pragma once

#include <cstdint>

#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"
#include "services/training/domain/training_rules.h"

namespace zhigai::training {

// Half a day and a day (R13.1 Decision: 4 and 8 hours in version 1) come from the rules.
// Check "DURATION". Expects ValidateEvent to have passed (ends_at after starts_at).
// Fails with EVENT_CROSSES_MIDNIGHT, DURATION_NEEDS_APPROVED_REASON (over 4h without an
// approved reason) or DURATION_OVER_ONE_DAY (over 8h).
RuleOutcome CheckDuration(const TrainingEvent& event, const TrainingRules& rules);

}  // namespace zhigai::training
