#include "services/review/domain/call.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/core/errors.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using testing::ValidCall;

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : ViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

std::vector<std::string> Rules(const absl::Status& status) {
  std::vector<std::string> rules;
  for (const FieldViolation& v : ViolationsOf(status)) rules.push_back(v.rule);
  return rules;
}

TEST(ValidateCall, AcceptsTheFixture) { EXPECT_TRUE(ValidateCall(ValidCall()).ok()); }

TEST(ValidateCall, YearOutOfRange) {
  Call call = ValidCall();
  call.year = 0;
  absl::Status s = ValidateCall(call);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s), ElementsAre("call.year"));
}

TEST(ValidateCall, CityCallCarriesNoDivision) {
  Call call = ValidCall();
  call.division_code = "330302";
  absl::Status s = ValidateCall(call);
  EXPECT_THAT(Fields(s), ElementsAre("call.division_code"));
  EXPECT_THAT(Rules(s), ElementsAre("R4.2"));
}

TEST(ValidateCall, CountyCallNeedsAWenzhouCountyCode) {
  Call call = ValidCall();
  call.scope = CallScope::kCounty;
  for (const char* bad : {"", "330300", "33038", "3303811", "330a81", "330102"}) {
    call.division_code = bad;
    EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.division_code")) << bad;
  }
  for (const char* good : {"330381", "330302", "330383"}) {
    call.division_code = good;
    EXPECT_TRUE(ValidateCall(call).ok()) << good;
  }
}

TEST(ValidateCall, ClosingNotBeforeOpening) {
  Call call = ValidCall();
  call.closing_date = call.opening_date;  // a one-day window is fine
  EXPECT_TRUE(ValidateCall(call).ok());
  call.closing_date = call.opening_date - 1;
  absl::Status s = ValidateCall(call);
  EXPECT_THAT(Fields(s), ElementsAre("call.closing_date"));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("2026-05-31"));
}

TEST(ValidateCall, NoticePeriodAndExpertsArePositive) {
  Call call = ValidCall();
  call.notice_period_days = 0;
  call.experts_per_application = 0;
  EXPECT_THAT(Fields(ValidateCall(call)),
              UnorderedElementsAre("call.notice_period_days", "call.experts_per_application"));
  call.notice_period_days = 1;
  call.experts_per_application = 1;
  EXPECT_TRUE(ValidateCall(call).ok());
}

TEST(ValidateCall, CriteriaAreNamedWeightedAndMarked) {
  Call call = ValidCall();
  call.criteria = {};
  EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.criteria"));

  call = ValidCall();
  call.criteria = {{"", 100, 1000}, {"a", 0, 1000}, {"a", 100, 0}};
  EXPECT_THAT(
      Fields(ValidateCall(call)),
      UnorderedElementsAre("call.criteria[0].name", "call.criteria[1].weight_hundredths",
                           "call.criteria[2].name", "call.criteria[2].full_marks_hundredths"));
}

TEST(ValidateCall, DirectionsAreOpenedOnceEach) {
  Call call = ValidCall();
  call.directions = {};
  EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.directions"));

  call = ValidCall();
  call.directions[1].direction = Direction::kConsulting;
  EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.directions[1].direction"));
}

TEST(ValidateCall, ThresholdMayBeWaivedButNotNegative) {
  Call call = ValidCall();
  call.directions[0].track_record_threshold = 0;
  EXPECT_TRUE(ValidateCall(call).ok());
  call.directions[0].track_record_threshold = -1;
  absl::Status s = ValidateCall(call);
  EXPECT_THAT(Fields(s), ElementsAre("call.directions[0].track_record_threshold"));
  EXPECT_THAT(Rules(s), ElementsAre("R5.2"));
}

TEST(ValidateCall, QuotaAtLeastOne) {
  Call call = ValidCall();
  call.directions[0].selection.quota = 0;
  EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.directions[0].quota"));
}

TEST(ValidateCall, CutOffWithinReachableScores) {
  Call call = ValidCall();
  // The fixture's highest weighted score is 100.00 points.
  EXPECT_EQ(MaxWeightedScore(call), 10000 * 100);
  call.directions[1].selection.cut_off_hundredths = 10000;
  EXPECT_TRUE(ValidateCall(call).ok());
  call.directions[1].selection.cut_off_hundredths = 0;
  EXPECT_TRUE(ValidateCall(call).ok());
  for (int64_t bad : {int64_t{10001}, int64_t{-1}}) {
    call.directions[1].selection.cut_off_hundredths = bad;
    EXPECT_THAT(Fields(ValidateCall(call)), ElementsAre("call.directions[1].cut_off_hundredths"))
        << bad;
  }
}

TEST(ValidateCall, ReportsEveryBadFieldAtOnce) {
  Call call = ValidCall();
  call.year = 1999;
  call.notice_period_days = -3;
  call.directions[0].selection.quota = -1;
  absl::Status s = ValidateCall(call);
  EXPECT_THAT(Fields(s), UnorderedElementsAre("call.year", "call.notice_period_days",
                                              "call.directions[0].quota"));
  EXPECT_FALSE(ChineseOf(s).empty());
}

TEST(Call, FindDirection) {
  Call call = ValidCall();
  ASSERT_NE(call.FindDirection(Direction::kTraining), nullptr);
  EXPECT_EQ(call.FindDirection(Direction::kTraining)->selection.mode, SelectionMode::kCutOff);
  call.directions.pop_back();
  EXPECT_EQ(call.FindDirection(Direction::kTraining), nullptr);
}

}  // namespace
}  // namespace zhigai::review
