// The outcome of one rule check on one training event, as listed in the subsidy report
// (R13.0): which rule, pass or fail, the figures it used and a message for people.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::training {

enum class RuleStatus { kPass, kFail, kNotApplicable };

// "PASS", "FAIL", "NOT_APPLICABLE".
absl::string_view RuleStatusName(RuleStatus status);

// A figure the check used, already formatted for display ("241", "2025-03-03").
struct Figure {
  std::string name;  // stable snake_case key, e.g. "duration_minutes"
  std::string value;
};

struct RuleOutcome {
  std::string rule;   // RULES.md ID, e.g. "R13.2"
  std::string check;  // stable UPPER_SNAKE name of the check within the rule, e.g. "NO_FEE"
  RuleStatus status = RuleStatus::kNotApplicable;
  std::string reason;  // UPPER_SNAKE reason when status is kFail, empty otherwise
  std::vector<Figure> figures;
  std::string english;
  std::string chinese;

  bool passed() const { return status != RuleStatus::kFail; }
};

// For handlers that refuse a step on a failed check: OK unless the outcome failed, then
// FAILED_PRECONDITION with the outcome's reason, rule and messages.
absl::Status AsStatus(const RuleOutcome& outcome);

}  // namespace zhigai::training
