#include "services/review/domain/scoring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

using ::testing::ElementsAre;
using testing::ValidCall;

// The fixture's criteria: "capability" (weight 1.00, full 40.00), "cases" (1.00, 60.00).
std::vector<CriterionScore> Scores(int64_t capability, int64_t cases) {
  return {{"capability", capability}, {"cases", cases}};
}

// A sheet whose weighted total is `points` hundredths (split between the two criteria).
ExpertScoreSheet Sheet(std::string expert, int64_t points_hundredths) {
  const int64_t capability = std::min<int64_t>(points_hundredths, 4000);
  return {std::move(expert), Scores(capability, points_hundredths - capability)};
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const FieldViolation& v : ViolationsOf(s)) out.push_back(v.field);
  return out;
}

TEST(ValidateScores, EachCriterionFromZeroToFullMarks) {
  EXPECT_TRUE(ValidateScores(ValidCall(), Scores(0, 0)).ok());
  EXPECT_TRUE(ValidateScores(ValidCall(), Scores(4000, 6000)).ok());
  EXPECT_THAT(Fields(ValidateScores(ValidCall(), Scores(4001, 6000))),
              ElementsAre("sheet.scores[0].score_hundredths"));
  EXPECT_THAT(Fields(ValidateScores(ValidCall(), Scores(4000, -1))),
              ElementsAre("sheet.scores[1].score_hundredths"));
}

TEST(ValidateScores, EveryCriterionExactlyOnce) {
  EXPECT_THAT(Fields(ValidateScores(ValidCall(), {{"capability", 100}})),
              ElementsAre("sheet.scores"));
  EXPECT_THAT(
      Fields(ValidateScores(ValidCall(), {{"capability", 100}, {"cases", 100}, {"cases", 200}})),
      ElementsAre("sheet.scores[2].criterion"));
  EXPECT_THAT(
      Fields(ValidateScores(ValidCall(), {{"capability", 100}, {"cases", 100}, {"style", 200}})),
      ElementsAre("sheet.scores[2].criterion"));
}

TEST(WeightedScore, SumOfScoreTimesWeight) {
  Call call = ValidCall();
  call.criteria = {{"capability", 40, 10000}, {"cases", 60, 10000}};  // weights 0.40 / 0.60
  // 80.00 * 0.40 + 90.50 * 0.60 = 32 + 54.3 = 86.30 points = 863000 ten-thousandths.
  absl::StatusOr<int64_t> w = WeightedScore(call, Scores(8000, 9050));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(*w, 8000 * 40 + 9050 * 60);
  EXPECT_EQ(*w, 863000);
  EXPECT_FALSE(WeightedScore(call, Scores(10001, 0)).ok());
}

absl::StatusOr<ApplicationScore> ScoreOf(std::vector<int64_t> points) {
  std::vector<ExpertScoreSheet> sheets;
  for (size_t i = 0; i < points.size(); ++i) {
    sheets.push_back(Sheet("exp-" + std::to_string(i), points[i]));
  }
  return ComputeApplicationScore(ValidCall(), sheets);
}

TEST(ApplicationScore, FourExpertsPlainMean) {
  absl::StatusOr<ApplicationScore> s = ScoreOf({6000, 7000, 8000, 9000});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->experts_scored, 4);
  EXPECT_EQ(s->experts_counted, 4);
  EXPECT_EQ(s->RoundedHundredths(), 7500);
}

TEST(ApplicationScore, FiveExpertsDropHighestAndLowest) {
  // Plain mean would be 64.00; trimmed mean of 60, 70, 80 is 70.00.
  absl::StatusOr<ApplicationScore> s = ScoreOf({1000, 8000, 10000, 6000, 7000});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->experts_scored, 5);
  EXPECT_EQ(s->experts_counted, 3);
  EXPECT_EQ(s->RoundedHundredths(), 7000);
}

TEST(ApplicationScore, DropsOnlyOneOfEachExtreme) {
  absl::StatusOr<ApplicationScore> s = ScoreOf({5000, 5000, 7000, 7000, 9000, 9000});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->experts_counted, 4);
  EXPECT_EQ(s->sum_ten_thousandths, (5000 + 7000 + 7000 + 9000) * 100);
}

TEST(ApplicationScore, ExactComparisonOfRepeatingMeans) {
  // 200.00 / 3 = 66.666...: below 66.67, above 66.66, and equal to 400.00 / 6.
  absl::StatusOr<ApplicationScore> third = ScoreOf({6666, 6667, 6667});
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(MeetsCutOff(*third, 6667));
  EXPECT_TRUE(MeetsCutOff(*third, 6666));
  EXPECT_EQ(third->RoundedHundredths(), 6667);  // display rounding, half up

  ApplicationScore same{third->sum_ten_thousandths * 2, 6, 8};
  EXPECT_EQ(CompareScores(*third, same), 0);
  ApplicationScore higher{third->sum_ten_thousandths * 2 + 1, 6, 8};
  EXPECT_LT(CompareScores(*third, higher), 0);
  EXPECT_GT(CompareScores(higher, *third), 0);
}

TEST(ApplicationScore, CutOffIsInclusive) {
  absl::StatusOr<ApplicationScore> s = ScoreOf({6000, 6000});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(MeetsCutOff(*s, 6000));
  EXPECT_FALSE(MeetsCutOff(*s, 6001));
  EXPECT_FALSE(MeetsCutOff(ApplicationScore{}, 0));  // nobody counted
}

TEST(ApplicationScore, Errors) {
  absl::Status none = ComputeApplicationScore(ValidCall(), {}).status();
  EXPECT_EQ(ReasonOf(none), "NO_EXPERT_SCORES");
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);

  absl::Status twice =
      ComputeApplicationScore(ValidCall(), {Sheet("e", 100), Sheet("e", 200)}).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kInvalidArgument);

  absl::Status bad = ComputeApplicationScore(ValidCall(), {{"e", Scores(4001, 0)}}).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zhigai::review
