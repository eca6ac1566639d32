#include "services/training/wire.h"

#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::training {
namespace {

ReferenceData Ref() {
  return ReferenceData::From(*core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv"),
                             *core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv"));
}

v1::Event Plan() {
  v1::Event e;
  e.set_institution_credit_code("91330302123456788P");
  e.set_title("智能制造诊断培训");
  e.set_type(v1::TRAINING);
  *e.mutable_date() = wire::testing::D("2025-03-17");
  *e.mutable_start_time() = wire::testing::HM("09:00");
  *e.mutable_end_time() = wire::testing::HM("13:00");
  e.set_venue("鹿城区某会议中心");
  e.set_division_code("330302");
  e.add_industry_codes("PUMP_VALVE");
  return e;
}

absl::StatusOr<int> Clock(const std::string& text, bool end) {
  const google::type::TimeOfDay time = wire::testing::HM(text);
  return ParseClock(&time, "t", end);
}

TEST(ParseClock, AcceptsWholeMinutesAndMidnightAsAnEnd) {
  EXPECT_EQ(*Clock("00:00", false), 0);
  EXPECT_EQ(*Clock("23:59", false), 23 * 60 + 59);
  EXPECT_EQ(*Clock("24:00", true), 24 * 60);
  EXPECT_FALSE(Clock("24:00", false).ok());
  EXPECT_FALSE(Clock("24:01", true).ok());
  EXPECT_FALSE(Clock("09:60", false).ok());
  google::type::TimeOfDay with_seconds = wire::testing::HM("09:00");
  with_seconds.set_seconds(30);
  EXPECT_FALSE(ParseClock(&with_seconds, "t", false).ok());
  // A time left out is not midnight.
  auto missing = ParseClock(nullptr, "event.start_time", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(ViolationsOf(missing.status()).at(0).field, "event.start_time");
}

TEST(ValidatePlan, AcceptsAGoodPlan) { EXPECT_TRUE(ValidatePlan(Plan(), Ref(), "event.").ok()); }

TEST(ValidatePlan, NamesEveryBadField) {
  v1::Event e = Plan();
  *e.mutable_end_time() = wire::testing::HM("08:00");
  e.set_division_code("330300");  // the city is not a county-level division
  e.add_industry_codes("TEXTILE");
  e.set_fee_fen(-1);
  e.set_type(v1::EVENT_TYPE_UNSPECIFIED);
  absl::Status s = ValidatePlan(e, Ref(), "event.");
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& v : ViolationsOf(s)) fields.insert(v.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"event.end_time", "event.division_code",
                                   "event.industry_codes[1]", "event.fee_fen", "event.type"}));
}

TEST(ToDomain, ReadsTimesStateAndFigures) {
  v1::Event e = Plan();
  *e.mutable_end_time() = wire::testing::HM("24:00");
  e.set_state(v1::FILED);
  *e.mutable_filed_on() = wire::testing::D("2025-03-03");
  e.add_attendance()->set_enterprise_credit_code("x");
  e.set_satisfied_ratings(8);
  e.set_total_ratings(10);
  auto d = ToDomain(e);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->starts_at, absl::CivilMinute(2025, 3, 17, 9, 0));
  EXPECT_EQ(d->ends_at, absl::CivilMinute(2025, 3, 18, 0, 0));
  EXPECT_TRUE(d->county_review_approved);
  EXPECT_EQ(d->filed_on, absl::CivilDay(2025, 3, 3));
  EXPECT_EQ(d->attendance.size(), 1u);
  EXPECT_EQ(d->ratings.satisfied, 8);
  e.set_state(v1::SUBMITTED);
  EXPECT_FALSE(ToDomain(e)->county_review_approved);
}

}  // namespace
}  // namespace zhigai::training
