// Translation between the wire messages (zhigai.review.v1) and the pure domain types of
// services/review/domain. Input is validated before conversion (validate.h), so parsing here
// only fails on data the service stored itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/review/domain/applicant.h"
#include "services/review/domain/call.h"
#include "services/review/domain/checklist.h"
#include "services/review/domain/conflict.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

std::optional<Direction> DirectionFromProto(int direction);
common::v1::Direction DirectionToProto(Direction direction);
// "CONSULTING" / "TRAINING" as stored in the tables.
absl::StatusOr<Direction> DirectionFromName(absl::string_view name);

CallState CallStateFromProto(v1::CallState state);
v1::CallState CallStateToProto(CallState state);

// The domain call; dates that do not parse are INVALID_ARGUMENT on "call.<field>". Its rules are
// the version the call recorded (or, on a call stored before versions, the one for its year).
absl::StatusOr<Call> CallFromProto(const v1::Call& call,
                                   const std::vector<ApplicationRules>& rules);
// The same without its rules (Call::rules.version 0), for what does not apply R5's figures:
// checking a definition (whose year may itself be wrong), the submission window, scoring,
// selection and state moves. Only the eligibility checklist needs CallFromProto.
absl::StatusOr<Call> CallShapeFromProto(const v1::Call& call);

// The applicant as R5.1 and R7.1 read it (credit code of the lead, legal form, members).
Applicant ApplicantFromProto(const v1::Application& application);

// What the checklist reads. `qc_documents[aspect]` is the id of a document uploaded with
// that aspect's purpose, empty when none.
ApplicationFacts FactsFromProto(const v1::Application& application,
                                const std::vector<std::pair<QualityAspect, std::string>>& qc_docs);

// The QC aspect a document purpose proves, if any.
std::optional<QualityAspect> AspectOfPurpose(v1::DocumentPurpose purpose);

v1::EligibilityChecklist ChecklistToProto(const Checklist& checklist);
absl::StatusOr<Checklist> ChecklistFromProto(const v1::EligibilityChecklist& checklist);
v1::Eligibility EligibilityToProto(Eligibility eligibility);

Expert ExpertFromProto(const v1::Expert& expert);

}  // namespace zhigai::review
