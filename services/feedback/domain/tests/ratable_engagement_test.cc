#include "services/feedback/domain/ratable_engagement.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

constexpr char kOwner[] = "913303007045678901";
constexpr char kStranger[] = "913303007045678902";
constexpr EngagementState kAllStates[] = {EngagementState::kReported, EngagementState::kInProgress,
                                          EngagementState::kDelivered, EngagementState::kAccepted,
                                          EngagementState::kCancelled};

TEST(CheckEngagementRatableTest, OwnerMayRateDeliveredOrAccepted) {
  EXPECT_TRUE(CheckEngagementRatable({kOwner, EngagementState::kDelivered}, kOwner).ok());
  EXPECT_TRUE(CheckEngagementRatable({kOwner, EngagementState::kAccepted}, kOwner).ok());
}

TEST(CheckEngagementRatableTest, OwnerMayNotRateUndeliveredOrCancelled) {
  for (EngagementState state :
       {EngagementState::kReported, EngagementState::kInProgress, EngagementState::kCancelled}) {
    absl::Status status = CheckEngagementRatable({kOwner, state}, kOwner);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << EngagementStateName(state);
    EXPECT_EQ(ReasonOf(status), "ENGAGEMENT_NOT_DELIVERED");
    EXPECT_EQ(RuleOf(status), "S2.1");
    EXPECT_NE(status.message().find(EngagementStateName(state)), absl::string_view::npos);
  }
}

TEST(CheckEngagementRatableTest, StrangerIsDeniedWhateverTheState) {
  for (EngagementState state : kAllStates) {
    absl::Status status = CheckEngagementRatable({kOwner, state}, kStranger);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << EngagementStateName(state);
    EXPECT_EQ(ReasonOf(status), "NOT_ENGAGEMENT_ENTERPRISE");
    EXPECT_FALSE(ChineseOf(status).empty());
  }
}

TEST(CheckEngagementRatableTest, EmptyCallerCodeNeverMatches) {
  absl::Status status = CheckEngagementRatable({"", EngagementState::kDelivered}, "");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST(EngagementStateNameTest, RoundTripsEveryState) {
  for (EngagementState state : kAllStates) {
    auto parsed = ParseEngagementState(EngagementStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseEngagementState("delivered").has_value());
}

}  // namespace
}  // namespace zhigai::feedback
