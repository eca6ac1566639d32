#include "services/feedback/domain/ratable_engagement.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

constexpr std::array<std::pair<EngagementState, absl::string_view>, 5> kNames = {{
    {EngagementState::kReported, "REPORTED"},
    {EngagementState::kInProgress, "IN_PROGRESS"},
    {EngagementState::kDelivered, "DELIVERED"},
    {EngagementState::kAccepted, "ACCEPTED"},
    {EngagementState::kCancelled, "CANCELLED"},
}};

}  // namespace

absl::string_view EngagementStateName(EngagementState state) {
  for (const auto& [value, name] : kNames) {
    if (value == state) return name;
  }
  return "UNKNOWN";
}

std::optional<EngagementState> ParseEngagementState(absl::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

absl::Status CheckEngagementRatable(const RatedEngagement& engagement,
                                    absl::string_view caller_enterprise_credit_code) {
  if (caller_enterprise_credit_code.empty() ||
      caller_enterprise_credit_code != engagement.enterprise_credit_code) {
    return Error(absl::StatusCode::kPermissionDenied, "NOT_ENGAGEMENT_ENTERPRISE",
                 "only the enterprise served by the engagement may rate it (S2.1)",
                 "只有接受服务的企业可以评价该服务", "S2.1");
  }
  if (engagement.state != EngagementState::kDelivered &&
      engagement.state != EngagementState::kAccepted) {
    return RuleViolation(
        "ENGAGEMENT_NOT_DELIVERED", "S2.1",
        absl::StrCat("an engagement can be rated once DELIVERED or ACCEPTED; it is ",
                     EngagementStateName(engagement.state)),
        absl::StrCat("服务交付后方可评价，当前状态为", EngagementStateName(engagement.state)));
  }
  return absl::OkStatus();
}

}  // namespace zhigai::feedback
