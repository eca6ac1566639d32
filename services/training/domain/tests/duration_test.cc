#include "services/training/domain/duration.h"

#include "gtest/gtest.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::At;
using testing::ExpectFail;
using testing::ExpectPass;
using testing::FigureOf;

TrainingEvent Lasting(int minutes, bool approved) {
  TrainingEvent e = testing::QualifyingEvent();
  e.starts_at = At(2025, 3, 17, 9, 0);
  e.ends_at = e.starts_at + minutes;
  e.special_reason_approved = approved;
  return e;
}

TEST(DurationTest, FourHoursIsHalfADay) {
  RuleOutcome out = CheckDuration(Lasting(240, false), TestTrainingRulesV1());
  ExpectPass(out);
  EXPECT_EQ(out.rule, "R13.1");
  EXPECT_EQ(FigureOf(out, "duration_minutes"), "240");
}

TEST(DurationTest, FourHoursOneMinuteNeedsAnApprovedReason) {
  RuleOutcome out = CheckDuration(Lasting(241, false), TestTrainingRulesV1());
  ExpectFail(out, "DURATION_NEEDS_APPROVED_REASON");
  EXPECT_EQ(FigureOf(out, "duration_minutes"), "241");
  ExpectPass(CheckDuration(Lasting(241, true), TestTrainingRulesV1()));
}

TEST(DurationTest, EightHoursWithApprovedReasonOnly) {
  ExpectPass(CheckDuration(Lasting(480, true), TestTrainingRulesV1()));
  ExpectFail(CheckDuration(Lasting(480, false), TestTrainingRulesV1()),
             "DURATION_NEEDS_APPROVED_REASON");
}

TEST(DurationTest, OverEightHoursIsRefusedEvenWithApproval) {
  ExpectFail(CheckDuration(Lasting(481, true), TestTrainingRulesV1()), "DURATION_OVER_ONE_DAY");
  ExpectFail(CheckDuration(Lasting(481, false), TestTrainingRulesV1()), "DURATION_OVER_ONE_DAY");
}

TEST(DurationTest, CrossingMidnightIsRefused) {
  TrainingEvent e = testing::QualifyingEvent();
  e.special_reason_approved = true;
  e.starts_at = At(2025, 3, 17, 22, 0);
  e.ends_at = At(2025, 3, 18, 1, 0);  // 3 hours, but over two dates
  RuleOutcome out = CheckDuration(e, TestTrainingRulesV1());
  ExpectFail(out, "EVENT_CROSSES_MIDNIGHT");
  EXPECT_EQ(FigureOf(out, "same_date"), "false");
  e.ends_at = At(2025, 3, 18, 0, 1);
  ExpectFail(CheckDuration(e, TestTrainingRulesV1()), "EVENT_CROSSES_MIDNIGHT");
}

TEST(DurationTest, EndingAtMidnightStaysOnTheDate) {
  TrainingEvent e = testing::QualifyingEvent();
  e.starts_at = At(2025, 3, 17, 20, 0);
  e.ends_at = At(2025, 3, 18, 0, 0);  // 24:00
  ExpectPass(CheckDuration(e, TestTrainingRulesV1()));
}

TEST(DurationTest, NonPositiveLengthNeverPasses) {
  ExpectFail(CheckDuration(Lasting(0, true), TestTrainingRulesV1()), "EVENT_TIMES_INVALID");
  ExpectFail(CheckDuration(Lasting(-30, true), TestTrainingRulesV1()), "EVENT_TIMES_INVALID");
}

}  // namespace
}  // namespace zhigai::training
