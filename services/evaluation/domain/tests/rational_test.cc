#include "services/evaluation/domain/rational.h"

#include <gtest/gtest.h>

#include <limits>

namespace zhigai::evaluation {
namespace {

Rational F(int64_t num, int64_t den) { return *Rational::Fraction(num, den); }

TEST(RationalTest, FractionReducesAndNormalisesSign) {
  Rational r = F(50, 20);  // 50/20 = 5/2
  EXPECT_EQ(r.numerator(), 5);
  EXPECT_EQ(r.denominator(), 2);
  Rational n = F(3, -6);  // 3/−6 = −1/2
  EXPECT_EQ(n.numerator(), -1);
  EXPECT_EQ(n.denominator(), 2);
  EXPECT_EQ(F(0, 7), Rational());  // 0/7 is the same value as the default zero (0/1)
}

TEST(RationalTest, FractionRefusesZeroDenominatorAndOverflow) {
  EXPECT_FALSE(Rational::Fraction(1, 0).has_value());
  __int128 big = static_cast<__int128>(std::numeric_limits<int64_t>::max()) + 1;
  EXPECT_FALSE(Rational::Fraction(big, 1).has_value());
  // Reducible back into range: (2^63)·2 / 4 = 2^62.
  EXPECT_TRUE(Rational::Fraction(big * 2, 4).has_value());
}

TEST(RationalTest, SumIsExact) {
  // 1/3 + 1/6 = 2/6 + 1/6 = 3/6 = 1/2
  EXPECT_EQ(*Sum(F(1, 3), F(1, 6)), F(1, 2));
  // 25/3 + 25/3 = 50/3
  EXPECT_EQ(*Sum(F(25, 3), F(25, 3)), F(50, 3));
}

TEST(RationalTest, ComparisonIsExactWhereDoublesWouldBlur) {
  // 200/3 = 66.666… and 6667/100 = 66.67 show the same two decimals but are not equal.
  EXPECT_LT(F(200, 3), F(6667, 100));
  EXPECT_EQ(F(200, 3).ToFixed2(), F(6667, 100).ToFixed2());
  // 1/10 + 2/10 equals 3/10 exactly (0.1 + 0.2 != 0.3 in binary floating point).
  EXPECT_EQ(*Sum(F(1, 10), F(2, 10)), F(3, 10));
  EXPECT_GT(F(9001, 100), Rational::Integer(90));
}

TEST(RationalTest, DisplayRoundsHalfAwayFromZeroToTwoDecimals) {
  EXPECT_EQ(F(169, 20).ToFixed2(), "8.45");  // exactly 8.45
  EXPECT_EQ(F(65, 8).ToFixed2(), "8.13");    // 8.125 → half rounds up
  EXPECT_EQ(F(8124, 1000).ToFixed2(), "8.12");
  EXPECT_EQ(F(25, 3).ToFixed2(), "8.33");   // 8.333…
  EXPECT_EQ(F(50, 3).ToFixed2(), "16.67");  // 16.666…
  EXPECT_EQ(F(-65, 8).ToFixed2(), "-8.13");
  EXPECT_EQ(Rational::Integer(30).ToFixed2(), "30.00");
  EXPECT_EQ(Rational().ToFixed2(), "0.00");
  EXPECT_EQ(F(1, 200).ToFixed2(), "0.01");  // 0.005 → 0.01
  EXPECT_EQ(F(1, 201).ToFixed2(), "0.00");
}

TEST(RationalTest, FormatHundredths) {
  EXPECT_EQ(FormatHundredths(8450), "84.50");
  EXPECT_EQ(FormatHundredths(5), "0.05");
  EXPECT_EQ(FormatHundredths(-5), "-0.05");
  EXPECT_EQ(FormatHundredths(10000), "100.00");
}

}  // namespace
}  // namespace zhigai::evaluation
