// What feedback needs to know about an engagement it is asked about, as read from tracking
// (tracking.v1 GetEngagement): who was served, by whom, how far it got, when it was delivered.
#pragma once

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "services/feedback/domain/ratable_engagement.h"

namespace zhigai::feedback {

struct EngagementFacts {
  std::string enterprise_credit_code;
  std::string institution_credit_code;
  EngagementState state = EngagementState::kReported;
  std::optional<absl::CivilDay> delivered_on;  // local date it became DELIVERED, once it did
  std::string division_code;                   // the enterprise's division (county scoping)
};

// The year whose evaluation the engagement's ratings feed. Decision (task, RULES.md says only
// "上年度" engagements): an engagement belongs to the year it was delivered in; undelivered
// engagements belong to no year (and cannot be rated).
std::optional<int> EngagementYear(const EngagementFacts& facts);

}  // namespace zhigai::feedback
