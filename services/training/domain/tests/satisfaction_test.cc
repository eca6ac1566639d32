#include "services/training/domain/satisfaction.h"

#include "gtest/gtest.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::ExpectFail;
using testing::ExpectPass;
using testing::FigureOf;

TEST(SatisfactionTest, EightyPercentPasses) {
  RuleOutcome out = CheckSatisfaction({80, 100}, TestTrainingRulesV1());
  ExpectPass(out);
  EXPECT_EQ(out.rule, "R13.4");
  EXPECT_EQ(FigureOf(out, "satisfaction_percent"), "80.00%");
  ExpectPass(CheckSatisfaction({4, 5}, TestTrainingRulesV1()));
  ExpectPass(CheckSatisfaction({8000, 10000}, TestTrainingRulesV1()));
}

TEST(SatisfactionTest, JustBelowEightyPercentFails) {
  RuleOutcome out = CheckSatisfaction({7999, 10000}, TestTrainingRulesV1());  // 79.99%
  ExpectFail(out, "SATISFACTION_BELOW_80");
  EXPECT_EQ(FigureOf(out, "satisfaction_percent"), "79.99%");
  ExpectFail(CheckSatisfaction({79, 100}, TestTrainingRulesV1()), "SATISFACTION_BELOW_80");
  // 79.996%: a floating rate rounded to two decimals would read 80.00%; it still fails.
  RuleOutcome close = CheckSatisfaction({79996, 100000}, TestTrainingRulesV1());
  ExpectFail(close, "SATISFACTION_BELOW_80");
  EXPECT_EQ(FigureOf(close, "satisfaction_percent"), "79.99%");
}

TEST(SatisfactionTest, FractionsThatAreExactlyEightyPercent) {
  // 4/5, 12/15, 36/45: exact integer comparison, no floating error at the boundary.
  for (int64_t k : {1, 3, 9, 333}) {
    ExpectPass(CheckSatisfaction({4 * k, 5 * k}, TestTrainingRulesV1()));
    ExpectFail(CheckSatisfaction({4 * k - 1, 5 * k}, TestTrainingRulesV1()),
               "SATISFACTION_BELOW_80");
  }
}

TEST(SatisfactionTest, NoRatingsMeansNoSubsidy) {
  RuleOutcome out = CheckSatisfaction({0, 0}, TestTrainingRulesV1());
  ExpectFail(out, "NO_RATINGS");
  EXPECT_EQ(FigureOf(out, "total_ratings"), "0");
}

TEST(SatisfactionTest, AllSatisfiedAndNoneSatisfied) {
  ExpectPass(CheckSatisfaction({1, 1}, TestTrainingRulesV1()));
  ExpectFail(CheckSatisfaction({0, 1}, TestTrainingRulesV1()), "SATISFACTION_BELOW_80");
}

}  // namespace
}  // namespace zhigai::training
