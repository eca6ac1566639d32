// Whether the institution running an event may serve on the event's date, as the registry
// decides it (registered, in the directory for TRAINING, not barred R14.5 or cancelled R14.4):
// events are planned and filed only by eligible institutions, and a sanction imposed after
// filing keeps the event on record but takes its subsidy away (RULES.md R13.0, R14.4, R14.5).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/training/domain/rule_outcome.h"

namespace zhigai::training {

struct StandingReason {
  std::string reason;  // the registry's UPPER_SNAKE reason: "BARRED", "CANCELLED", ...
  std::string rule;    // "R14.5", "R14.4", "R4.1", ...
  std::string message;
};

struct InstitutionStanding {
  bool eligible = false;
  std::vector<StandingReason> reasons;  // every reason that applies, empty when eligible
};

// The subsidy report's line: PASS when eligible; FAIL with the first reason's rule and reason
// (a bar or cancellation named before the rest), every reason in the message.
RuleOutcome CheckInstitutionStanding(const InstitutionStanding& standing);

// For planning and filing: OK when eligible, else FAILED_PRECONDITION INSTITUTION_NOT_ELIGIBLE
// citing the same rule and naming every reason.
absl::Status RequireStanding(const InstitutionStanding& standing, const std::string& credit_code,
                             const std::string& date);

}  // namespace zhigai::training
