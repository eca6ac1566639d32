#include "services/tracking/domain/need.h"

#include <set>
#include <utility>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using N = NeedState;
using A = AssignmentState;
using testing::FieldsOf;
using testing::kInstitution;
using testing::kOtherInstitution;

constexpr N kAllNeeds[] = {N::kOpen, N::kAssigned, N::kServed, N::kClosed};

TEST(NeedNamesTest, RoundTrip) {
  for (N state : kAllNeeds) {
    auto parsed = ParseNeedState(NeedStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  for (A state : {A::kPending, A::kAccepted, A::kDeclined}) {
    auto parsed = ParseAssignmentState(AssignmentStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseNeedState("UNSERVED").has_value());
  EXPECT_FALSE(ParseAssignmentState("REFUSED").has_value());
}

TEST(CheckNeedTransitionTest, OnlyTheSixStepsAreAllowed) {
  const std::set<std::pair<N, N>> allowed = {{N::kOpen, N::kAssigned}, {N::kAssigned, N::kServed},
                                             {N::kAssigned, N::kOpen}, {N::kOpen, N::kServed},
                                             {N::kServed, N::kOpen},   {N::kOpen, N::kClosed}};
  for (N from : kAllNeeds) {
    for (N to : kAllNeeds) {
      absl::Status status = CheckNeedTransition(from, to);
      if (allowed.count({from, to})) {
        EXPECT_TRUE(status.ok()) << NeedStateName(from) << " -> " << NeedStateName(to);
        continue;
      }
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
          << NeedStateName(from) << " -> " << NeedStateName(to);
      EXPECT_EQ(ReasonOf(status), "NEED_TRANSITION_NOT_ALLOWED");
      EXPECT_EQ(RuleOf(status), "R12.2");
      EXPECT_NE(status.message().find(NeedStateName(from)), absl::string_view::npos);
      EXPECT_NE(status.message().find(std::string(" to ") + std::string(NeedStateName(to))),
                absl::string_view::npos);
    }
  }
}

TEST(CheckCanAssignTest, OnlyAnOpenNeed) {
  EXPECT_TRUE(CheckCanAssign(N::kOpen).ok());
  for (N state : {N::kAssigned, N::kServed, N::kClosed}) {
    absl::Status status = CheckCanAssign(state);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << NeedStateName(state);
    EXPECT_EQ(ReasonOf(status), "NEED_NOT_OPEN");
    EXPECT_EQ(RuleOf(status), "R12.2");
  }
}

AssignmentFacts Pending() { return {N::kAssigned, A::kPending, kInstitution}; }

TEST(RespondToAssignmentTest, AcceptServesTheNeed) {
  auto result = RespondToAssignment(Pending(), kInstitution, AssignmentResponse::kAccept);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, (AssignmentResult{N::kServed, A::kAccepted}));
  EXPECT_TRUE(CheckNeedTransition(N::kAssigned, result->need).ok());
}

TEST(RespondToAssignmentTest, DeclineWithReasonReopensTheNeed) {
  auto result =
      RespondToAssignment(Pending(), kInstitution, AssignmentResponse::kDecline, "本季度人手不足");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, (AssignmentResult{N::kOpen, A::kDeclined}));
  EXPECT_TRUE(CheckNeedTransition(N::kAssigned, result->need).ok());
  EXPECT_TRUE(CheckCanAssign(result->need).ok());  // the bureau may assign it again
}

TEST(RespondToAssignmentTest, DeclineNeedsAReason) {
  for (absl::string_view reason : {"", " \t"}) {
    auto result =
        RespondToAssignment(Pending(), kInstitution, AssignmentResponse::kDecline, reason);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldsOf(result.status()), std::vector<std::string>{"decline_reason"});
    EXPECT_EQ(RuleOf(result.status()), "R12.2");
  }
}

TEST(RespondToAssignmentTest, AcceptNeedsNoReason) {
  EXPECT_TRUE(RespondToAssignment(Pending(), kInstitution, AssignmentResponse::kAccept, "").ok());
}

TEST(RespondToAssignmentTest, OnlyTheAssignedInstitutionMayAnswer) {
  for (absl::string_view caller : {absl::string_view(kOtherInstitution), absl::string_view()}) {
    auto result = RespondToAssignment(Pending(), caller, AssignmentResponse::kAccept);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(ReasonOf(result.status()), "NOT_ASSIGNED_INSTITUTION");
  }
  AssignmentFacts answered = Pending();
  answered.assignment = A::kAccepted;
  EXPECT_EQ(
      RespondToAssignment(answered, kOtherInstitution, AssignmentResponse::kAccept).status().code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(RespondToAssignmentTest, AnAnsweredAssignmentCannotBeAnsweredAgain) {
  for (A state : {A::kAccepted, A::kDeclined}) {
    AssignmentFacts facts = Pending();
    facts.assignment = state;
    for (auto response : {AssignmentResponse::kAccept, AssignmentResponse::kDecline}) {
      auto result = RespondToAssignment(facts, kInstitution, response, "reason");
      EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(ReasonOf(result.status()), "ASSIGNMENT_ALREADY_ANSWERED");
    }
  }
}

TEST(RespondToAssignmentTest, NeedMustStillBeAssigned) {
  for (N state : {N::kOpen, N::kServed, N::kClosed}) {
    AssignmentFacts facts = Pending();
    facts.need = state;
    auto result = RespondToAssignment(facts, kInstitution, AssignmentResponse::kAccept);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(result.status()), "NEED_NOT_ASSIGNED");
  }
}

}  // namespace
}  // namespace zhigai::tracking
