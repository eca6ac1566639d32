// Which engagements an enterprise may rate (S2.1, S2.2): its own, once delivered.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::feedback {

// An engagement's state as the tracking service reports it (tracking.v1). Feedback keeps its
// own copy so that it never links tracking's domain library.
enum class EngagementState { kReported, kInProgress, kDelivered, kAccepted, kCancelled };

// "REPORTED", "IN_PROGRESS", "DELIVERED", "ACCEPTED", "CANCELLED".
absl::string_view EngagementStateName(EngagementState state);
std::optional<EngagementState> ParseEngagementState(absl::string_view name);

// The facts about the engagement being rated, fetched from tracking.
struct RatedEngagement {
  std::string enterprise_credit_code;  // the enterprise that was served
  EngagementState state;
};

// OK when the caller is the served enterprise and the engagement is DELIVERED or ACCEPTED.
// Ownership is checked first so that a stranger learns nothing about the state:
// PERMISSION_DENIED, reason NOT_ENGAGEMENT_ENTERPRISE; then FAILED_PRECONDITION, reason
// ENGAGEMENT_NOT_DELIVERED.
absl::Status CheckEngagementRatable(const RatedEngagement& engagement,
                                    absl::string_view caller_enterprise_credit_code);

}  // namespace zhigai::feedback
