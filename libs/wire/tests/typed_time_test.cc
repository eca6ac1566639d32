// The crossing between the API's typed dates and instants (AIP-142) and the domain's.
#include "libs/wire/typed_time.h"

#include <gtest/gtest.h>

#include "libs/core/errors.h"

namespace zhigai::wire {
namespace {

std::vector<std::string> FieldsOf(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : ViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

Date D(int y, int m, int d) {
  Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

TEST(Dates, ARealDayCrossesBothWays) {
  auto day = ParseDate(D(2028, 2, 29), "event.date");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(ToDate(*day).SerializeAsString(), D(2028, 2, 29).SerializeAsString());
  EXPECT_EQ(DateText(ToDate(*day)), "2028-02-29");
}

TEST(Dates, MissingPartialAndImpossibleDatesAreRefusedNamingTheField) {
  for (const Date& bad : {Date(), D(2027, 2, 29), D(2026, 13, 1), D(2026, 0, 1), D(2026, 3, 0),
                          D(0, 3, 1), D(10000, 1, 1)}) {
    auto day = ParseDate(bad, "event.date");
    ASSERT_FALSE(day.ok()) << DateText(bad);
    EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldsOf(day.status()), std::vector<std::string>{"event.date"});
    EXPECT_EQ(ViolationsOf(day.status()).at(0).rule, "FORMAT") << DateText(bad);
  }
}

TEST(Dates, BusinessDatesKeepTheirYearRange) {
  EXPECT_TRUE(ParseBusinessDate(D(2100, 12, 31), "d").ok());
  EXPECT_FALSE(ParseBusinessDate(D(2101, 1, 1), "d").ok());
  EXPECT_FALSE(ParseBusinessDate(D(1999, 12, 31), "d").ok());
  EXPECT_TRUE(ParseDate(D(1999, 12, 31), "d").ok());
}

TEST(Dates, TextQuotesEveryDateAsItIsIncludingImpossibleOnes) {
  EXPECT_EQ(DateText(D(7, 3, 5)), "0007-03-05");
  EXPECT_EQ(DateText(D(2026, 2, 30)), "2026-02-30");
  EXPECT_EQ(DateText(D(2026, 0, 0)), "2026-00-00");
  EXPECT_EQ(DateText(D(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(DateText(D(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(DateText(D(2026, 100, 1)), "2026-100-01");
}

TEST(Dates, StoreTextBecomesADateAndNullStaysMissing) {
  auto d = DateFromText("2026-03-09");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(DateText(*d), "2026-03-09");
  EXPECT_FALSE(DateFromText("").has_value());
  EXPECT_FALSE(DateFromText("2026-3-9").has_value());
  EXPECT_EQ(DateText(Date()), "");
}

TEST(TimesOfDay, WholeMinutesUpToTheEndOfTheDay) {
  TimeOfDay t;
  t.set_hours(24);
  EXPECT_EQ(*ParseMinutes(t, "end_time"), 1440);
  t.set_hours(23);
  t.set_minutes(59);
  EXPECT_EQ(*ParseMinutes(t, "end_time"), 1439);
  EXPECT_EQ(TimeOfDayText(ToTimeOfDay(570)), "09:30");
  TimeOfDay past_midnight;
  past_midnight.set_hours(24);
  past_midnight.set_minutes(1);
  TimeOfDay with_seconds = ToTimeOfDay(600);
  with_seconds.set_seconds(5);
  TimeOfDay bad_minutes;
  bad_minutes.set_minutes(60);
  for (const TimeOfDay& bad : {past_midnight, with_seconds, bad_minutes}) {
    auto m = ParseMinutes(bad, "end_time");
    ASSERT_FALSE(m.ok()) << bad.ShortDebugString();
    EXPECT_EQ(FieldsOf(m.status()), std::vector<std::string>{"end_time"});
  }
}

TEST(Instants, MicrosecondsSurviveTheRoundTripIncludingBefore1970) {
  for (const char* text : {"2026-11-26T08:00:00.000001Z", "1969-12-31T23:59:59.999999Z"}) {
    auto ts = TimestampFromText(text);
    ASSERT_TRUE(ts.has_value()) << text;
    EXPECT_GE(ts->nanos(), 0);
    EXPECT_LT(ts->nanos(), 1'000'000'000);
    EXPECT_EQ(TimestampText(*ts), text);
  }
  auto offset = TimestampFromText("2026-11-26T16:00:00+08:00");
  ASSERT_TRUE(offset.has_value());
  EXPECT_EQ(TimestampText(*offset), "2026-11-26T08:00:00.000000Z");
  EXPECT_FALSE(TimestampFromText("").has_value());
  EXPECT_FALSE(TimestampFromText("yesterday").has_value());
}

}  // namespace
}  // namespace zhigai::wire
