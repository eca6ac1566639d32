#include "services/training/domain/scaled_mean.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace zhigai::training {
namespace {

TEST(ScaledMeanText, NoTestIsZero) { EXPECT_EQ(*ScaledMeanText({}), "0"); }

TEST(ScaledMeanText, ExactWhenTerminating) {
  EXPECT_EQ(*ScaledMeanText({{8500, 10000}}), "8.5");
  EXPECT_EQ(*ScaledMeanText({{10000, 10000}}), "10");
  EXPECT_EQ(*ScaledMeanText({{0, 10000}}), "0");
  // 85/100 and 45/50 -> (8.5 + 9) / 2 = 8.75
  EXPECT_EQ(*ScaledMeanText({{8500, 10000}, {4500, 5000}}), "8.75");
  // 85.55 / 100 -> 8.555 exactly (a double would give 8.554999...)
  EXPECT_EQ(*ScaledMeanText({{8555, 10000}}), "8.555");
}

TEST(ScaledMeanText, TruncatesRepeatingDecimals) {
  // (10 + 0 + 0) / 3 = 3.333...
  EXPECT_EQ(*ScaledMeanText({{10000, 10000}, {0, 10000}, {0, 10000}}), "3.333333333333333333");
  // 2/3 x 10 = 6.666...: truncated, not rounded up to ...7
  EXPECT_EQ(*ScaledMeanText({{2, 3}}), "6.666666666666666666");
}

TEST(ScaledMeanText, AgreesWithTheDoubleMeanOfScaleTestScores) {
  std::vector<TestSession> sessions = {{"a", 2026, 100}, {"b", 2026, 120}, {"c", 2026, 80}};
  std::vector<TestResult> results = {
      {"a", "X", TestAttendance::kTaken, 77.77},
      {"b", "X", TestAttendance::kTaken, 101.5},
      {"c", "X", TestAttendance::kAbsentUnexcused, 0},
  };
  auto scaled = ScaleTestScores(2026, sessions, results, {"X"});
  ASSERT_TRUE(scaled.ok());
  auto text = ScaledMeanText({{7777, 10000}, {10150, 12000}, {0, 8000}});
  ASSERT_TRUE(text.ok());
  EXPECT_NEAR(std::strtod(text->c_str(), nullptr), (*scaled)[0].scaled_score, 1e-12);
}

TEST(ScaledMeanText, RefusesImpossibleScores) {
  EXPECT_EQ(ScaledMeanText({{10001, 10000}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ScaledMeanText({{-1, 10000}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ScaledMeanText({{0, 0}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CountedTests, ExcusedLeftOutEveryOtherAbsenceScoresZero) {
  EXPECT_TRUE(IsCounted(TestAttendance::kTaken));
  EXPECT_FALSE(IsCounted(TestAttendance::kAbsentExcused));
  EXPECT_TRUE(IsCounted(TestAttendance::kAbsentUnexcused));
  EXPECT_TRUE(IsCounted(TestAttendance::kAbsentExcusePending));
  EXPECT_EQ(CountedScoreHundredths(TestAttendance::kTaken, 9050), 9050);
  EXPECT_EQ(CountedScoreHundredths(TestAttendance::kAbsentUnexcused, 9050), 0);
  EXPECT_EQ(CountedScoreHundredths(TestAttendance::kAbsentExcusePending, 9050), 0);
}

}  // namespace
}  // namespace zhigai::training
