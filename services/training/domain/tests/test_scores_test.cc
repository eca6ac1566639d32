#include "services/training/domain/test_scores.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::training {
namespace {

const std::vector<TestSession> kSessions = {
    {"T1", 2025, 100}, {"T2", 2025, 50}, {"T3", 2025, 120}, {"OLD", 2024, 100}};

InstitutionTestScore ScoreOf(const std::vector<TestResult>& results, const std::string& who) {
  absl::StatusOr<std::vector<InstitutionTestScore>> scores =
      ScaleTestScores(2025, kSessions, results, {who});
  EXPECT_TRUE(scores.ok()) << scores.status();
  if (!scores.ok() || scores->size() != 1) return {};
  EXPECT_EQ((*scores)[0].institution_credit_code, who);
  return (*scores)[0];
}

TEST(TestScoresTest, MeanOfScaledScoresUnrounded) {
  // 90/100 -> 9, 35/50 -> 7, 100/120 -> 8.333...; mean 8.111..., not rounded.
  InstitutionTestScore s = ScoreOf({{"T1", "A", TestAttendance::kTaken, 90},
                                    {"T2", "A", TestAttendance::kTaken, 35},
                                    {"T3", "A", TestAttendance::kTaken, 100}},
                                   "A");
  EXPECT_DOUBLE_EQ(s.scaled_score, (9.0 + 7.0 + 100.0 / 120.0 * 10.0) / 3.0);
  EXPECT_NE(s.scaled_score, 8.11);
  EXPECT_EQ(s.tests_counted, 3);
}

TEST(TestScoresTest, FullMarksScaleToTen) {
  InstitutionTestScore s = ScoreOf({{"T2", "A", TestAttendance::kTaken, 50}}, "A");
  EXPECT_DOUBLE_EQ(s.scaled_score, 10.0);
}

TEST(TestScoresTest, UnexcusedAbsenceScoresZero) {
  InstitutionTestScore s = ScoreOf(
      {{"T1", "A", TestAttendance::kTaken, 80}, {"T2", "A", TestAttendance::kAbsentUnexcused, 0}},
      "A");
  EXPECT_DOUBLE_EQ(s.scaled_score, (8.0 + 0.0) / 2.0);
  EXPECT_EQ(s.tests_unexcused, 1);
}

TEST(TestScoresTest, ExcusedAbsenceIsLeftOut) {
  InstitutionTestScore s = ScoreOf(
      {{"T1", "A", TestAttendance::kTaken, 80}, {"T2", "A", TestAttendance::kAbsentExcused, 0}},
      "A");
  EXPECT_DOUBLE_EQ(s.scaled_score, 8.0);
  EXPECT_EQ(s.tests_excused, 1);
  EXPECT_EQ(s.tests_counted, 1);
}

TEST(TestScoresTest, PendingExcuseCountsAsZeroAndIsFlagged) {
  InstitutionTestScore s = ScoreOf({{"T1", "A", TestAttendance::kTaken, 80},
                                    {"T2", "A", TestAttendance::kAbsentExcusePending, 0}},
                                   "A");
  EXPECT_DOUBLE_EQ(s.scaled_score, 4.0);
  EXPECT_EQ(s.excuses_pending, 1);
}

TEST(TestScoresTest, NoTestTakenScoresZero) {
  EXPECT_DOUBLE_EQ(ScoreOf({}, "A").scaled_score, 0.0);
  InstitutionTestScore only_excused =
      ScoreOf({{"T1", "A", TestAttendance::kAbsentExcused, 0}}, "A");
  EXPECT_DOUBLE_EQ(only_excused.scaled_score, 0.0);
  EXPECT_EQ(only_excused.tests_counted, 0);
}

TEST(TestScoresTest, OtherYearsAndOtherInstitutionsDoNotCount) {
  absl::StatusOr<std::vector<InstitutionTestScore>> scores =
      ScaleTestScores(2025, kSessions,
                      {{"OLD", "A", TestAttendance::kTaken, 10},
                       {"T1", "A", TestAttendance::kTaken, 70},
                       {"T1", "B", TestAttendance::kTaken, 100},
                       {"T1", "Z", TestAttendance::kTaken, 0}},
                      {"B", "A"});
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 2u);
  EXPECT_EQ((*scores)[0].institution_credit_code, "B");
  EXPECT_DOUBLE_EQ((*scores)[0].scaled_score, 10.0);
  EXPECT_EQ((*scores)[1].institution_credit_code, "A");
  EXPECT_DOUBLE_EQ((*scores)[1].scaled_score, 7.0);
}

TEST(TestScoresTest, BadInputIsRefused) {
  auto code = [](std::vector<TestSession> sessions, std::vector<TestResult> results) {
    return ScaleTestScores(2025, sessions, results, {"A"}).status().code();
  };
  const auto kBad = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code(kSessions, {{"T9", "A", TestAttendance::kTaken, 1}}), kBad);
  EXPECT_EQ(code(kSessions, {{"T1", "A", TestAttendance::kTaken, 101}}), kBad);
  EXPECT_EQ(code(kSessions, {{"T1", "A", TestAttendance::kTaken, -1}}), kBad);
  EXPECT_EQ(code(kSessions, {{"T1", "A", TestAttendance::kTaken, 50},
                             {"T1", "A", TestAttendance::kAbsentExcused, 0}}),
            kBad);
  EXPECT_EQ(code({{"T1", 2025, 0}}, {}), kBad);
  EXPECT_EQ(code({{"T1", 2025, 100}, {"T1", 2025, 100}}, {}), kBad);
  // A score on the boundary is fine.
  EXPECT_TRUE(
      ScaleTestScores(2025, kSessions, {{"T1", "A", TestAttendance::kTaken, 100}}, {"A"}).ok());
}

}  // namespace
}  // namespace zhigai::training
