// R13.3 content: an event targets at least one of Wenzhou's "5+5" industries.
#pragma once

#include <set>
#include <string>

#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"

namespace zhigai::training {

// Check "FIVE_PLUS_FIVE_INDUSTRY": passes when at least one of the event's industry codes is
// in `five_plus_five_codes` (the `code` column of data/industries.tsv, loaded by the caller).
// Other codes on the event are listed as figures but do not fail it. Fails with
// NO_FIVE_PLUS_FIVE_INDUSTRY.
RuleOutcome CheckIndustries(const TrainingEvent& event,
                            const std::set<std::string>& five_plus_five_codes);

}  // namespace zhigai::training
