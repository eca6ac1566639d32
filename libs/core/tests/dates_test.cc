#include "libs/core/dates.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kField = "event.date";

TEST(ParseDate, AcceptsExistingDates) {
  EXPECT_EQ(ParseDate("2026-03-09", kField).value(), absl::CivilDay(2026, 3, 9));
  EXPECT_EQ(ParseDate("2026-12-31", kField).value(), absl::CivilDay(2026, 12, 31));
  EXPECT_EQ(ParseDate("2026-01-01", kField).value(), absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(ParseDate("2024-02-29", kField).value(), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(ParseDate("2000-02-29", kField).value(), absl::CivilDay(2000, 2, 29));
  EXPECT_EQ(ParseDate("1995-06-30", kField).value(), absl::CivilDay(1995, 6, 30));
}

TEST(ParseDate, RefusesDatesThatDoNotExist) {
  for (absl::string_view bad : {"2026-02-30", "2025-02-29", "2100-02-29", "2026-04-31",
                                "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32"}) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(bad, kField);
    ASSERT_FALSE(day.ok()) << bad;
    EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(RuleOf(day.status()), "FORMAT");
    EXPECT_EQ(ViolationsOf(day.status())[0].field, kField);
    EXPECT_TRUE(absl::StrContains(day.status().message(), "not a calendar date")) << bad;
  }
}

TEST(ParseDate, RefusesAnyOtherShape) {
  for (absl::string_view bad :
       {"", "2026-2-3", "2026-02-3", "2026-2-03", "26-02-03", "2026-02-03 ", " 2026-02-03",
        "2026-02-03x", "2026-02-03T00:00", "2026/02/03", "20260203", "+026-02-03", "2026-+2-03",
        "2026-02--3", "２０２６-02-03", "12026-02-03"}) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(bad, kField);
    ASSERT_FALSE(day.ok()) << bad;
    EXPECT_TRUE(absl::StrContains(day.status().message(), "YYYY-MM-DD")) << bad;
    EXPECT_TRUE(absl::StrContains(ChineseOf(day.status()), "YYYY-MM-DD"));
  }
}

TEST(FormatDate, PadsAndRoundTripsEveryDayOfALeapYear) {
  EXPECT_EQ(FormatDate(absl::CivilDay(2026, 3, 9)), "2026-03-09");
  EXPECT_EQ(FormatDate(absl::CivilDay(999, 1, 1)), "0999-01-01");
  for (absl::CivilDay d(2024, 1, 1); d < absl::CivilDay(2025, 1, 1); ++d) {
    absl::StatusOr<absl::CivilDay> back = ParseDate(FormatDate(d), kField);
    ASSERT_TRUE(back.ok()) << FormatDate(d);
    EXPECT_EQ(*back, d);
  }
}

TEST(CheckYearRange, BusinessYearsAre2000To2100Inclusive) {
  EXPECT_FALSE(CheckYearRange(absl::CivilDay(1999, 12, 31), kField).ok());
  EXPECT_TRUE(CheckYearRange(absl::CivilDay(2000, 1, 1), kField).ok());
  EXPECT_TRUE(CheckYearRange(absl::CivilDay(2100, 12, 31), kField).ok());
  absl::Status late = CheckYearRange(absl::CivilDay(2101, 1, 1), kField);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(RuleOf(late), "FORMAT");
  EXPECT_TRUE(absl::StrContains(late.message(), "2000 to 2100"));
  EXPECT_TRUE(CheckYearRange(absl::CivilDay(1990, 5, 1), kField, 1949, 2100).ok());
  EXPECT_FALSE(CheckYearRange(absl::CivilDay(2027, 1, 1), kField, 2025, 2026).ok());
}

TEST(ParseBusinessDate, ParsesThenChecksTheRange) {
  EXPECT_EQ(ParseBusinessDate("2026-03-09", kField).value(), absl::CivilDay(2026, 3, 9));
  EXPECT_EQ(ParseBusinessDate("2000-01-01", kField).value(), absl::CivilDay(2000, 1, 1));
  EXPECT_FALSE(ParseBusinessDate("1999-12-31", kField).ok());
  EXPECT_FALSE(ParseBusinessDate("2101-01-01", kField).ok());
  EXPECT_TRUE(ParseDate("0000-01-01", kField).ok());
  EXPECT_FALSE(ParseBusinessDate("0000-01-01", kField).ok());
  absl::Status bad = ParseBusinessDate("2026-02-30", kField).status();
  EXPECT_TRUE(absl::StrContains(bad.message(), "not a calendar date"));
}

TEST(BusinessDayOf, TurnsAtMidnightInWenzhouNotAtMidnightUtc) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  // 15:59:59 UTC is 23:59:59 in Wenzhou: still the 26th; one second later it is the 27th.
  EXPECT_EQ(BusinessDayOf(absl::FromCivil(absl::CivilSecond(2026, 11, 26, 15, 59, 59), utc)),
            absl::CivilDay(2026, 11, 26));
  EXPECT_EQ(BusinessDayOf(absl::FromCivil(absl::CivilSecond(2026, 11, 26, 16, 0, 0), utc)),
            absl::CivilDay(2026, 11, 27));
  // The year turns eight hours before it does in UTC.
  EXPECT_EQ(BusinessDayOf(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 16, 0, 0), utc)),
            absl::CivilDay(2027, 1, 1));
}

TEST(FormatTimestamp, IsUtcWithMicrosecondsSoTextOrderIsTimeOrder) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 11, 27, 0, 30, 5), absl::FixedTimeZone(8 * 60 * 60)) +
      absl::Microseconds(7);
  EXPECT_EQ(FormatTimestamp(t), "2026-11-26T16:30:05.000007Z");
  EXPECT_LT(FormatTimestamp(t), FormatTimestamp(t + absl::Microseconds(1)));
}

}  // namespace
}  // namespace zhigai::core
