#include "libs/core/business_clock.h"

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "libs/core/dates.h"

namespace zhigai::core {
namespace {

absl::Duration OffsetTo(absl::Time target) { return target - absl::Now(); }

TEST(BusinessClockTest, ModesAreNamedAndNothingElseIsAccepted) {
  EXPECT_EQ(*ParseClockMode("system"), ClockMode::kSystem);
  EXPECT_EQ(*ParseClockMode("settable"), ClockMode::kSettable);
  for (const char* bad : {"", "System", "fake", "settable "}) {
    EXPECT_EQ(ParseClockMode(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(BusinessClockTest, TheSystemClockIgnoresEverySetting) {
  BusinessClock clock(ClockMode::kSystem);
  EXPECT_FALSE(clock.Apply(1, absl::Hours(-24 * 300)));
  EXPECT_EQ(clock.generation(), 0);
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(1));
}

TEST(BusinessClockTest, ASettableClockFollowsTheWallUntilItIsSet) {
  BusinessClock clock(ClockMode::kSettable);
  EXPECT_EQ(clock.generation(), 0);
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(1));
}

TEST(BusinessClockTest, OnlyNewerGenerationsMoveIt) {
  BusinessClock clock(ClockMode::kSettable);
  ASSERT_TRUE(clock.Apply(2, absl::Hours(24)));
  EXPECT_EQ(clock.generation(), 2);
  // A setting read late (older) or twice (same generation) changes nothing.
  EXPECT_FALSE(clock.Apply(1, absl::Hours(24 * 5)));
  EXPECT_FALSE(clock.Apply(2, absl::Hours(24 * 9)));
  EXPECT_EQ(clock.offset(), absl::Hours(24));
  EXPECT_TRUE(clock.Apply(3, absl::Hours(48)));
  EXPECT_EQ(clock.offset(), absl::Hours(48));
}

TEST(BusinessClockTest, TodayIsTheDateInWenzhou) {
  // 16:00 UTC on 31 December is already New Year's Day in Wenzhou (UTC+8).
  const absl::Time new_year_utc_eve =
      absl::FromCivil(absl::CivilSecond(2026, 12, 31, 16, 0, 30), absl::UTCTimeZone());
  BusinessClock clock(ClockMode::kSettable);
  ASSERT_TRUE(clock.Apply(1, OffsetTo(new_year_utc_eve)));
  EXPECT_EQ(clock.Today(), absl::CivilDay(2027, 1, 1));
  ASSERT_TRUE(clock.Apply(2, OffsetTo(new_year_utc_eve - absl::Minutes(2))));
  EXPECT_EQ(clock.Today(), absl::CivilDay(2026, 12, 31));
  // The function handed to stores and handlers reads the same clock, settings included.
  auto now = clock.AsFunction();
  ASSERT_TRUE(clock.Apply(3, OffsetTo(new_year_utc_eve + absl::Hours(24 * 40))));
  EXPECT_EQ(BusinessDayOf(now()), absl::CivilDay(2027, 2, 10));
}

TEST(BusinessClockTest, TheProcessClockIsWhatWasInstalled) {
  EXPECT_EQ(ProcessClock(), nullptr);
  EXPECT_FALSE(ProcessClockIsSettable());
  BusinessClock system(ClockMode::kSystem), settable(ClockMode::kSettable);
  InstallProcessClock(&system);
  EXPECT_FALSE(ProcessClockIsSettable());
  InstallProcessClock(&settable);
  EXPECT_TRUE(ProcessClockIsSettable());
  InstallProcessClock(nullptr);
}

}  // namespace
}  // namespace zhigai::core
