// The project's error vocabulary. Every refusal is an absl::Status that carries, as payloads,
// a stable UPPER_SNAKE reason (callers switch on it), the rule ID it enforces (RULES.md),
// a Chinese message for people, and for bad input the offending field paths. The gRPC layer
// (libs/server) turns these payloads into google.rpc.ErrorInfo, BadRequest and
// LocalizedMessage details in one place.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai {

struct FieldViolation {
  std::string field;        // proto field path, e.g. "institution.credit_code"
  std::string rule;         // rule ID, e.g. "R0.1", or a generic check such as "FORMAT"
  std::string description;  // English, names the field and the rule
};

// Bad input: INVALID_ARGUMENT naming one field and the rule it breaks.
absl::Status InvalidField(absl::string_view field, absl::string_view rule,
                          absl::string_view english, absl::string_view chinese);

// Bad input with several fields at once (a create that breaks three checks reports three).
absl::Status InvalidFields(std::vector<FieldViolation> violations, absl::string_view chinese);

// A rule or state forbids the step: FAILED_PRECONDITION with a reason and a rule ID.
absl::Status RuleViolation(absl::string_view reason, absl::string_view rule,
                           absl::string_view english, absl::string_view chinese);

// Any other code with a reason (NOT_FOUND, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED, ...).
absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view english,
                   absl::string_view chinese, absl::string_view rule = {});

std::string ReasonOf(const absl::Status& status);
std::string RuleOf(const absl::Status& status);
std::string ChineseOf(const absl::Status& status);
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

// Collects field violations while a request is validated, so one answer lists them all.
class Violations {
 public:
  void Add(absl::string_view field, absl::string_view rule, absl::string_view description);
  // Adds the violations of a status returned by a field validator (InvalidField/InvalidFields);
  // a non-INVALID_ARGUMENT status is kept and returned by Finish() as is.
  void Absorb(const absl::Status& status);
  bool empty() const { return list_.empty() && other_.ok(); }
  absl::Status Finish(absl::string_view chinese = "请求参数有误") const;

 private:
  std::vector<FieldViolation> list_;
  absl::Status other_;
};

}  // namespace zhigai
