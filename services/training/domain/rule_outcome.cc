#include "services/training/domain/rule_outcome.h"

#include "libs/core/errors.h"

namespace zhigai::training {

absl::string_view RuleStatusName(RuleStatus status) {
  switch (status) {
    case RuleStatus::kPass:
      return "PASS";
    case RuleStatus::kFail:
      return "FAIL";
    case RuleStatus::kNotApplicable:
      return "NOT_APPLICABLE";
  }
  return "UNKNOWN";
}

absl::Status AsStatus(const RuleOutcome& outcome) {
  if (outcome.status != RuleStatus::kFail) return absl::OkStatus();
  return RuleViolation(outcome.reason, outcome.rule, outcome.english, outcome.chinese);
}

}  // namespace zhigai::training
