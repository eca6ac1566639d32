// Computes the R5 eligibility checklist when an application is submitted (RULES.md
// R5.1-R5.4). Lines, in order: R5.1; R5.2 once per direction applied for (in the order
// applied for); R5.3; R5.4. Bureau decisions are applied afterwards (checklist.h).
#pragma once

#include "absl/status/statusor.h"
#include "services/review/domain/applicant.h"
#include "services/review/domain/call.h"
#include "services/review/domain/checklist.h"

namespace zhigai::review {

// The checklist of `facts` against `call`. INVALID_ARGUMENT when the application names no
// direction, a direction twice, or a direction the call does not open.
absl::StatusOr<Checklist> ComputeChecklist(const Call& call, const ApplicationFacts& facts);

}  // namespace zhigai::review
