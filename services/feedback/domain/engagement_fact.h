// Engagement facts that tracking pushes to feedback (RecordEngagementFact): which push wins when
// pushes arrive late, twice or out of order, and what a consistent fact looks like.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/feedback/domain/ratable_engagement.h"

namespace zhigai::feedback {

// What feedback keeps about an engagement.
struct EngagementFacts {
  std::string enterprise_credit_code;
  std::string institution_credit_code;
  EngagementState state = EngagementState::kReported;
  std::optional<absl::CivilDay> delivered_on;  // set once DELIVERED or ACCEPTED
  std::string division_code;                   // the enterprise's division, may be empty
};

// The year whose evaluation the engagement's ratings feed: the year of delivery (S2.1, S2.2
// "上年度" engagements). Decision (task): an engagement belongs to the year it was delivered in.
std::optional<int> EngagementYear(const EngagementFacts& facts);

// A delivery date exactly when the state is DELIVERED or ACCEPTED: InvalidField
// "delivered_date" (S2.1) otherwise.
absl::Status CheckDeliveryDate(EngagementState state, bool has_delivered_date);

enum class FactMerge {
  kApply,   // the push is as new as or newer than what is stored: store it
  kIgnore,  // the push is older than what is stored (a late retry): keep the stored fact
};

// Tracking's life cycle only moves forward (REPORTED -> IN_PROGRESS -> DELIVERED -> ACCEPTED,
// or to CANCELLED before delivery), so a push is ordered by its state. A push that contradicts
// the stored fact — other parties, other delivery date, cancelled against delivered — is
// FAILED_PRECONDITION, reason ENGAGEMENT_FACT_CONFLICT: retrying cannot fix it.
absl::StatusOr<FactMerge> MergeEngagementFacts(const std::optional<EngagementFacts>& stored,
                                               const EngagementFacts& incoming);

}  // namespace zhigai::feedback
