#include "services/feedback/domain/rating_window.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

const absl::CivilDay kFirst(2026, 3, 1);

TEST(CanChangeRatingTest, FirstDayIsDayZeroAndAllowed) {
  EXPECT_TRUE(CanChangeRating(kFirst, kFirst, 7));
}

TEST(CanChangeRatingTest, LastDayOfPeriodAllowedDayAfterRefused) {
  EXPECT_TRUE(CanChangeRating(kFirst, absl::CivilDay(2026, 3, 8), 7));
  EXPECT_FALSE(CanChangeRating(kFirst, absl::CivilDay(2026, 3, 9), 7));
}

TEST(CanChangeRatingTest, ZeroPeriodAllowsOnlyTheFirstDay) {
  EXPECT_TRUE(CanChangeRating(kFirst, kFirst, 0));
  EXPECT_FALSE(CanChangeRating(kFirst, kFirst + 1, 0));
}

TEST(CanChangeRatingTest, NegativePeriodAllowsNothing) {
  EXPECT_FALSE(CanChangeRating(kFirst, kFirst, -1));
}

TEST(CanChangeRatingTest, DayBeforeFirstRatingRefused) {
  EXPECT_FALSE(CanChangeRating(kFirst, kFirst - 1, 7));
}

TEST(CanChangeRatingTest, PeriodCrossesYearEnd) {
  const absl::CivilDay first(2025, 12, 28);
  EXPECT_EQ(LastRatingChangeDay(first, 7), absl::CivilDay(2026, 1, 4));
  EXPECT_TRUE(CanChangeRating(first, absl::CivilDay(2026, 1, 4), 7));
  EXPECT_FALSE(CanChangeRating(first, absl::CivilDay(2026, 1, 5), 7));
}

TEST(CheckRatingChangeTest, AgreesWithCanChangeAtTheBoundary) {
  const int period = 30;
  const absl::CivilDay last = LastRatingChangeDay(kFirst, period);
  EXPECT_TRUE(CheckRatingChange(kFirst, last, period).ok());
  absl::Status late = CheckRatingChange(kFirst, last + 1, period);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(late), "RATING_CHANGE_PERIOD_OVER");
  EXPECT_EQ(RuleOf(late), "S2.1");
  EXPECT_FALSE(ChineseOf(late).empty());
  EXPECT_NE(late.message().find("2026-03-01"), absl::string_view::npos);
}

}  // namespace
}  // namespace zhigai::feedback
