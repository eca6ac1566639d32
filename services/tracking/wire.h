// The policy platform's wire record as the domain's input: one translation, shared by the
// handlers and the request-validation fuzz target, so the fuzzer checks what the service runs.
#pragma once

#include <string>

#include "services/tracking/domain/project_record.h"
#include "zhigai/tracking/v1/tracking.pb.h"

namespace zhigai::tracking {

// Wire enum names ("OUTCOME_APPROVED") to the domain's ("APPROVED"); UNKNOWN for a number
// outside the enum, which the domain then refuses naming the field.
std::string OutcomeText(v1::ProjectOutcome outcome);
std::string KindText(int kind);

ProjectRecordInput ProjectInputFromWire(const v1::ProjectRecord& record);

}  // namespace zhigai::tracking
