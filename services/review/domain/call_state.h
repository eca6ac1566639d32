// The life of a call: DRAFT -> OPEN -> CLOSED -> REVIEWING -> NOTICE -> FINISHED (R4.1, R7.1),
// and the submission window. Each state moves only to the next one.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/review/domain/call.h"

namespace zhigai::review {

absl::string_view CallStateName(CallState state);  // "DRAFT", "OPEN", ...

bool CanTransition(CallState from, CallState to);

// The call in state `to`, or FAILED_PRECONDITION (reason INVALID_CALL_TRANSITION) naming
// both states. DRAFT -> OPEN also requires a valid definition (ValidateCall's error).
absl::StatusOr<Call> Transition(const Call& call, CallState to);

// Whether an application may be submitted on `date` (Asia/Shanghai business date).
// The opening and closing dates are both inclusive. FAILED_PRECONDITION with reason
// CALL_NOT_OPEN (state is not OPEN), SUBMISSION_TOO_EARLY or SUBMISSION_TOO_LATE; the
// message gives the dates.
absl::Status CheckSubmissionWindow(const Call& call, absl::CivilDay date);

}  // namespace zhigai::review
