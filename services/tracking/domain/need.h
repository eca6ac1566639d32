// Enterprise needs and the bureau's assignment of an unserved need to an institution (R12.2).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::tracking {

enum class NeedState {
  kOpen,      // no agreed engagement: unserved, may be assigned (R12.2)
  kAssigned,  // assigned by a bureau, awaiting the institution's answer
  kServed,    // an engagement serves it (assignment accepted, or reported directly, R12.1)
  kClosed,    // withdrawn by the enterprise
};

enum class AssignmentState { kPending, kAccepted, kDeclined };

// "OPEN", "ASSIGNED", "SERVED", "CLOSED".
absl::string_view NeedStateName(NeedState state);
std::optional<NeedState> ParseNeedState(absl::string_view name);
// "PENDING", "ACCEPTED", "DECLINED".
absl::string_view AssignmentStateName(AssignmentState state);
std::optional<AssignmentState> ParseAssignmentState(absl::string_view name);

// Allowed need steps: OPEN -> ASSIGNED (bureau assigns), ASSIGNED -> SERVED (accepted),
// ASSIGNED -> OPEN (declined), OPEN -> SERVED (an institution reports an engagement for it),
// SERVED -> OPEN (that engagement was cancelled: the need is unserved again), OPEN -> CLOSED.
// Anything else is FAILED_PRECONDITION, reason NEED_TRANSITION_NOT_ALLOWED, naming both states.
absl::Status CheckNeedTransition(NeedState from, NeedState to);

// R12.2: only an unserved (OPEN) need may be assigned. FAILED_PRECONDITION, reason
// NEED_NOT_OPEN, otherwise.
absl::Status CheckCanAssign(NeedState need);

enum class AssignmentResponse { kAccept, kDecline };

// The stored facts of the assignment being answered.
struct AssignmentFacts {
  NeedState need = NeedState::kAssigned;
  AssignmentState assignment = AssignmentState::kPending;
  std::string institution_credit_code;  // the institution the bureau assigned
};

// The states to store after the answer.
struct AssignmentResult {
  NeedState need;
  AssignmentState assignment;
  friend bool operator==(const AssignmentResult&, const AssignmentResult&) = default;
};

// The assigned institution answers a pending assignment. Accept -> {SERVED, ACCEPTED};
// decline -> {OPEN, DECLINED}, so the bureau can assign the need again.
// Refusals, in this order: PERMISSION_DENIED NOT_ASSIGNED_INSTITUTION (caller is not the
// assignee); FAILED_PRECONDITION ASSIGNMENT_ALREADY_ANSWERED (not PENDING) or NEED_NOT_ASSIGNED
// (need not ASSIGNED); InvalidField("decline_reason", "R12.2") for a decline without a reason.
absl::StatusOr<AssignmentResult> RespondToAssignment(const AssignmentFacts& facts,
                                                     absl::string_view caller_institution_code,
                                                     AssignmentResponse response,
                                                     absl::string_view decline_reason = {});

}  // namespace zhigai::tracking
