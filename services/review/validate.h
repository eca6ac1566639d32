// Checks of what clients send, before anything is stored: every violation is reported at once
// with its field path and rule ID (libs/core/errors.h). Rules of the call itself live in the
// domain (ValidateCall); this adds the wire-level checks (enums, dates, text, codes).
#pragma once

#include "absl/status/status.h"
#include "libs/institution/profile.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

// The registry's catalogs: the profile is checked by the registry's rules (ValidateInstitution).
using ReferenceData = institution::ReferenceData;

// A call definition (CreateCall / UpdateCall), including the domain's ValidateCall.
absl::Status ValidateCallDefinition(const v1::Call& call, const ReferenceData& ref);

// An application's content: Attachment 1 snapshot, consortium, directions, letter, staff,
// track record, QC declarations. The profile is checked by the registry's ValidateInstitution,
// what its CreateInstitution requires when the applicant is admitted, so admission never fails
// on format.
absl::Status ValidateApplicationContent(const v1::Application& app, const ReferenceData& ref);

}  // namespace zhigai::review
