// R7.1 conflict of interest between an expert and an application.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/review/domain/applicant.h"

namespace zhigai::review {

struct Expert {
  std::string id;
  std::string employer_credit_code;        // empty when the expert has no employer
  std::vector<std::string> declared_ties;  // credit codes of organisations declared as ties
};

// An application as seen by review: its id and who applies.
struct ReviewedApplication {
  std::string id;
  Applicant applicant;
};

// OK when `expert` may review `application`; otherwise FAILED_PRECONDITION with reason
// EXPERT_CONFLICT, rule R7.1, and the part of the rule that applies: a declared tie to the
// applicant or a consortium member, or the expert's employer being the applicant or a
// consortium member. Empty codes never match.
absl::Status CheckConflict(const Expert& expert, const ReviewedApplication& application);

}  // namespace zhigai::review
