#include "services/feedback/domain/engagement_fact.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

constexpr char kEnterprise[] = "913303007045678901";
constexpr char kInstitution[] = "91330300MA2H123456";

EngagementFacts Facts(EngagementState state, std::optional<absl::CivilDay> delivered = {}) {
  return {kEnterprise, kInstitution, state, delivered, "330302"};
}

TEST(EngagementYearTest, IsTheYearOfDelivery) {
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kDelivered, absl::CivilDay(2025, 12, 31))),
            2025);
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kAccepted, absl::CivilDay(2026, 1, 1))), 2026);
  EXPECT_EQ(EngagementYear(Facts(EngagementState::kInProgress)), std::nullopt);
}

TEST(CheckDeliveryDateTest, RequiredExactlyWhenDelivered) {
  EXPECT_TRUE(CheckDeliveryDate(EngagementState::kDelivered, true).ok());
  EXPECT_TRUE(CheckDeliveryDate(EngagementState::kAccepted, true).ok());
  EXPECT_TRUE(CheckDeliveryDate(EngagementState::kReported, false).ok());
  EXPECT_TRUE(CheckDeliveryDate(EngagementState::kCancelled, false).ok());
  for (auto [state, has] : {std::pair{EngagementState::kDelivered, false},
                            std::pair{EngagementState::kAccepted, false},
                            std::pair{EngagementState::kInProgress, true},
                            std::pair{EngagementState::kCancelled, true}}) {
    absl::Status s = CheckDeliveryDate(state, has);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << EngagementStateName(state);
    ASSERT_EQ(ViolationsOf(s).size(), 1u);
    EXPECT_EQ(ViolationsOf(s)[0].field, "delivered_date");
  }
}

TEST(MergeEngagementFactsTest, FirstPushAndForwardPushesApply) {
  const absl::CivilDay day(2025, 6, 1);
  EXPECT_EQ(*MergeEngagementFacts(std::nullopt, Facts(EngagementState::kAccepted, day)),
            FactMerge::kApply);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kReported),
                                  Facts(EngagementState::kInProgress)),
            FactMerge::kApply);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kInProgress),
                                  Facts(EngagementState::kDelivered, day)),
            FactMerge::kApply);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kDelivered, day),
                                  Facts(EngagementState::kAccepted, day)),
            FactMerge::kApply);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kInProgress),
                                  Facts(EngagementState::kCancelled)),
            FactMerge::kApply);
  // The same push twice changes nothing but is not an error.
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kDelivered, day),
                                  Facts(EngagementState::kDelivered, day)),
            FactMerge::kApply);
}

TEST(MergeEngagementFactsTest, LatePushesOfEarlierStatesAreIgnored) {
  const absl::CivilDay day(2025, 6, 1);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kAccepted, day),
                                  Facts(EngagementState::kDelivered, day)),
            FactMerge::kIgnore);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kDelivered, day),
                                  Facts(EngagementState::kReported)),
            FactMerge::kIgnore);
  EXPECT_EQ(*MergeEngagementFacts(Facts(EngagementState::kCancelled),
                                  Facts(EngagementState::kInProgress)),
            FactMerge::kIgnore);
}

TEST(MergeEngagementFactsTest, ContradictionsAreConflicts) {
  const absl::CivilDay day(2025, 6, 1);
  EngagementFacts other_enterprise = Facts(EngagementState::kDelivered, day);
  other_enterprise.enterprise_credit_code = "913303007045678902";
  EngagementFacts other_institution = Facts(EngagementState::kDelivered, day);
  other_institution.institution_credit_code = "91330300MA2H654321";
  const std::pair<EngagementFacts, EngagementFacts> cases[] = {
      {Facts(EngagementState::kReported), other_enterprise},
      {Facts(EngagementState::kReported), other_institution},
      {Facts(EngagementState::kCancelled), Facts(EngagementState::kDelivered, day)},
      {Facts(EngagementState::kCancelled), Facts(EngagementState::kAccepted, day)},
      {Facts(EngagementState::kDelivered, day), Facts(EngagementState::kCancelled)},
      {Facts(EngagementState::kDelivered, day), Facts(EngagementState::kAccepted, day + 1)},
  };
  for (const auto& [stored, incoming] : cases) {
    auto merged = MergeEngagementFacts(stored, incoming);
    ASSERT_FALSE(merged.ok()) << EngagementStateName(stored.state) << " <- "
                              << EngagementStateName(incoming.state);
    EXPECT_EQ(merged.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(merged.status()), "ENGAGEMENT_FACT_CONFLICT");
  }
}

}  // namespace
}  // namespace zhigai::feedback
