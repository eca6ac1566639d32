#include "services/review/domain/call_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "libs/core/errors.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

using ::testing::HasSubstr;
using testing::ValidCall;

const std::vector<CallState> kOrder = {CallState::kDraft,  CallState::kOpen,
                                       CallState::kClosed, CallState::kReviewing,
                                       CallState::kNotice, CallState::kFinished};

TEST(CallState, OnlyTheNextStateIsReachable) {
  for (size_t i = 0; i < kOrder.size(); ++i) {
    for (size_t j = 0; j < kOrder.size(); ++j) {
      EXPECT_EQ(CanTransition(kOrder[i], kOrder[j]), j == i + 1)
          << CallStateName(kOrder[i]) << " -> " << CallStateName(kOrder[j]);
    }
  }
}

TEST(CallState, TransitionWalksTheWholeLife) {
  Call call = ValidCall();
  for (size_t i = 1; i < kOrder.size(); ++i) {
    absl::StatusOr<Call> next = Transition(call, kOrder[i]);
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->state, kOrder[i]);
    call = *next;
  }
}

TEST(CallState, RefusedTransitionNamesBothStates) {
  Call call = ValidCall();
  call.state = CallState::kClosed;
  absl::StatusOr<Call> next = Transition(call, CallState::kOpen);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(next.status()), "INVALID_CALL_TRANSITION");
  EXPECT_THAT(std::string(next.status().message()), HasSubstr("CLOSED"));
  EXPECT_THAT(std::string(next.status().message()), HasSubstr("OPEN"));
  EXPECT_FALSE(ChineseOf(next.status()).empty());
}

TEST(CallState, FinishedIsFinal) {
  Call call = ValidCall();
  call.state = CallState::kFinished;
  for (CallState to : kOrder) EXPECT_FALSE(Transition(call, to).ok());
}

TEST(CallState, OpeningRequiresAValidDefinition) {
  Call call = ValidCall();
  call.criteria.clear();
  absl::StatusOr<Call> next = Transition(call, CallState::kOpen);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
}

Call OpenCall() {
  Call call = ValidCall();
  call.state = CallState::kOpen;
  return call;  // window 2026-06-01 .. 2026-06-30
}

TEST(SubmissionWindow, OpeningAndClosingDaysAreInside) {
  EXPECT_TRUE(CheckSubmissionWindow(OpenCall(), absl::CivilDay(2026, 6, 1)).ok());
  EXPECT_TRUE(CheckSubmissionWindow(OpenCall(), absl::CivilDay(2026, 6, 15)).ok());
  EXPECT_TRUE(CheckSubmissionWindow(OpenCall(), absl::CivilDay(2026, 6, 30)).ok());
}

TEST(SubmissionWindow, DayBeforeOpeningIsEarly) {
  absl::Status s = CheckSubmissionWindow(OpenCall(), absl::CivilDay(2026, 5, 31));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "SUBMISSION_TOO_EARLY");
  EXPECT_THAT(std::string(s.message()), HasSubstr("2026-06-01"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("2026-06-30"));
}

TEST(SubmissionWindow, DayAfterClosingIsLate) {
  absl::Status s = CheckSubmissionWindow(OpenCall(), absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(ReasonOf(s), "SUBMISSION_TOO_LATE");
  EXPECT_THAT(std::string(s.message()), HasSubstr("2026-06-30"));
  EXPECT_THAT(ChineseOf(s), HasSubstr("2026-06-30"));
}

TEST(SubmissionWindow, OnlyAnOpenCallTakesApplications) {
  Call call = OpenCall();
  for (CallState state : {CallState::kDraft, CallState::kClosed, CallState::kNotice}) {
    call.state = state;
    absl::Status s = CheckSubmissionWindow(call, absl::CivilDay(2026, 6, 15));
    EXPECT_EQ(ReasonOf(s), "CALL_NOT_OPEN") << CallStateName(state);
  }
}

}  // namespace
}  // namespace zhigai::review
