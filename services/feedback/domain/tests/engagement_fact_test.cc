#include "services/feedback/domain/engagement_fact.h"

#include "gtest/gtest.h"

namespace zhigai::feedback {
namespace {

EngagementFacts Facts(EngagementState state, std::optional<absl::CivilDay> delivered = {}) {
  return {"913303007045678901", "91330300MA2H123456", state, delivered, "330302"};
}

TEST(EngagementYearTest, IsTheYearOfDeliveryUpToTheLastDay) {
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kDelivered, absl::CivilDay(2025, 12, 31))), 2025);
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kAccepted, absl::CivilDay(2026, 1, 1))), 2026);
}

TEST(EngagementYearTest, UndeliveredEngagementsHaveNoYear) {
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kInProgress)), std::nullopt);
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kCancelled)), std::nullopt);
}

}  // namespace
}  // namespace zhigai::feedback
