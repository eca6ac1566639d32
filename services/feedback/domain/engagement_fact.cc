#include "services/feedback/domain/engagement_fact.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

// Position along the life cycle; CANCELLED sits beside DELIVERED as the other way out of
// IN_PROGRESS, so neither can follow the other.
int Rank(EngagementState state) {
  switch (state) {
    case EngagementState::kReported:
      return 0;
    case EngagementState::kInProgress:
      return 1;
    case EngagementState::kDelivered:
    case EngagementState::kCancelled:
      return 2;
    case EngagementState::kAccepted:
      return 3;
  }
  return 0;
}

bool Delivered(EngagementState state) {
  return state == EngagementState::kDelivered || state == EngagementState::kAccepted;
}

absl::Status Conflict(absl::string_view what) {
  return RuleViolation("ENGAGEMENT_FACT_CONFLICT", "S2.1",
                       absl::StrCat("the pushed engagement contradicts the stored one: ", what),
                       "推送的服务项目信息与已记录的不一致");
}

}  // namespace

std::optional<int> EngagementYear(const EngagementFacts& facts) {
  if (!facts.delivered_on.has_value()) return std::nullopt;
  return static_cast<int>(facts.delivered_on->year());
}

absl::Status CheckDeliveryDate(EngagementState state, bool has_delivered_date) {
  if (Delivered(state) && !has_delivered_date) {
    return InvalidField("delivered_date", "S2.1",
                        "delivered_date is required once the engagement is DELIVERED or ACCEPTED",
                        "服务已交付时须提供交付日期");
  }
  if (!Delivered(state) && has_delivered_date) {
    return InvalidField("delivered_date", "S2.1",
                        "delivered_date must be empty before the engagement is delivered",
                        "服务未交付时不应有交付日期");
  }
  return absl::OkStatus();
}

absl::StatusOr<FactMerge> MergeEngagementFacts(const std::optional<EngagementFacts>& stored,
                                               const EngagementFacts& incoming) {
  if (!stored.has_value()) return FactMerge::kApply;
  if (stored->enterprise_credit_code != incoming.enterprise_credit_code ||
      stored->institution_credit_code != incoming.institution_credit_code) {
    return Conflict("the enterprise or the institution differs");
  }
  const bool cancelled_vs_delivered =
      (stored->state == EngagementState::kCancelled && Delivered(incoming.state)) ||
      (incoming.state == EngagementState::kCancelled && Delivered(stored->state));
  if (cancelled_vs_delivered) return Conflict("cancelled and delivered");
  if (stored->delivered_on.has_value() && incoming.delivered_on.has_value() &&
      *stored->delivered_on != *incoming.delivered_on) {
    return Conflict("the delivery date differs");
  }
  if (Rank(incoming.state) < Rank(stored->state)) return FactMerge::kIgnore;
  return FactMerge::kApply;
}

}  // namespace zhigai::feedback
