#include "services/evaluation/domain/bands.h"

#include <gtest/gtest.h>

#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

// S1.2: rate = approved ÷ declared. Bands: < 50% → 0; 50–60 → 2; (60, 70] → 4; (70, 80] → 6;
// (80, 90] → 8; > 90 → 10.
TEST(PassRateBandTest, EveryBoundary) {
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 0, 5).points, 0);     // 0%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 49, 100).points, 0);  // 49%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 99, 200).points, 0);  // 49.5%: still below 50
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 50, 100).points, 2);  // 50%: lower bound included
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 1, 2).points, 2);     // 50%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 60, 100).points, 2);  // 60%: upper bound included
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 3, 5).points, 2);     // 60%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 121, 200).points,
            4);  // 60.5%: between 60 and 61 → higher band
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 61, 100).points, 4);  // 61%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 2, 3).points, 4);     // 66.67%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 70, 100).points, 4);  // 70%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 7, 10).points,
            4);  // 70%; 0.7 × 100 is 70.00000000000001 in doubles
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 141, 200).points, 6);   // 70.5%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 71, 100).points, 6);    // 71%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 80, 100).points, 6);    // 80%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 161, 200).points, 8);   // 80.5%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 81, 100).points, 8);    // 81%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 90, 100).points, 8);    // 90%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 181, 200).points, 10);  // 90.5%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 91, 100).points, 10);   // 91%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 10, 11).points, 10);    // 90.9%
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 5, 5).points, 10);      // 100%
}

TEST(PassRateBandTest, TextNamesTheInequality) {
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 121, 200).english, "60% < rate ≤ 70%");
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 121, 200).chinese, "60%<合格率≤70%");
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 50, 100).english, "50% ≤ rate ≤ 60%");
  EXPECT_EQ(PassRateBand(TestRulesV1().pass_rate, 91, 100).english, "rate > 90%");
}

// S3: the panel's mean, given as a sum of hundredths and a member count. Bands: < 60 → 0;
// [60, 70] → 15; (70, 80] → 20; (80, 90] → 25; > 90 → 30.
TEST(DefenceBandTest, EveryBoundaryOneMember) {
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 0, 1).points, 0);
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 5999, 1).points, 0);   // 59.99
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 6000, 1).points, 15);  // 60
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7000, 1).points, 15);  // 70
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7001, 1).points, 20);  // 70.01
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7050, 1).points,
            20);  // 70.5: between 70 and 71 → higher band
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7100, 1).points, 20);   // 71
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 8000, 1).points, 20);   // 80
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 8100, 1).points, 25);   // 81
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 9000, 1).points, 25);   // 90
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 9001, 1).points, 30);   // 90.01
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 9100, 1).points, 30);   // 91
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 10000, 1).points, 30);  // 100
}

TEST(DefenceBandTest, MeanIsBandedUnrounded) {
  // (90.00 + 90.01) ÷ 2 = 90.005: rounding to two decimals first would give 90.01 or 90.00
  // depending on the rule; unrounded it is above 90.
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 9000 + 9001, 2).points, 30);
  // (70 + 70.01 + 70) ÷ 3 = 70.00333…: shows as 70.00 yet is above 70.
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7000 + 7001 + 7000, 3).points, 20);
  // (59.99 + 60.01) ÷ 2 = 60 exactly.
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 5999 + 6001, 2).points, 15);
  // (59.99 + 60.00) ÷ 2 = 59.995 < 60.
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 5999 + 6000, 2).points, 0);
}

TEST(DefenceBandTest, TextNamesTheInequality) {
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7050, 1).english, "70 < s ≤ 80");
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 7050, 1).chinese, "70分<s≤80分");
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 6000, 1).english, "60 ≤ s ≤ 70");
  EXPECT_EQ(DefenceBand(TestRulesV1().defence, 9001, 1).english, "s > 90");
}

}  // namespace
}  // namespace zhigai::evaluation
