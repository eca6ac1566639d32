// When sanctions are in force and who may serve (R3.1, R4.3, R14.4, R14.5).
#include "services/registry/eligibility.h"

#include <gtest/gtest.h>

#include "libs/core/testing/sanction_rules.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::registry {
namespace {

using absl::CivilDay;

// Version 1 of data/sanction-rules.tsv, as the registry loads it.
const core::SanctionRules& V1() { return core::TestSanctionRules().front(); }

TEST(SanctionLastDay, CancelRunsToYearEndR14_4) {
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 5, 10), V1()), CivilDay(2026, 12, 31));
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 12, 31), V1()), CivilDay(2026, 12, 31));
}

TEST(SanctionLastDay, BarRunsThreeYearsAnniversaryFreeR14_5) {
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 3, 15), V1()), CivilDay(2029, 3, 14));
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2024, 2, 29), V1()), CivilDay(2027, 2, 28));
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 1, 1), V1()), CivilDay(2028, 12, 31));
  // A revision's term is used as the version in force gives it.
  core::SanctionRules five = V1();
  five.bar_years = 5;
  EXPECT_EQ(SanctionLastDay(v1::BAR, CivilDay(2026, 3, 15), five), CivilDay(2031, 3, 14));
  EXPECT_EQ(SanctionLastDay(v1::CANCEL, CivilDay(2026, 3, 15), five), CivilDay(2026, 12, 31));
}

v1::CheckEligibilityRequest Req(common::v1::ServiceKind kind, std::string division = "") {
  v1::CheckEligibilityRequest r;
  r.set_credit_code("91330302123456788P");
  r.set_service_kind(kind);
  r.set_division_code(division);
  return r;
}

EntryFact Entry(common::v1::Direction d, v1::EntryStatus s = v1::ACTIVE,
                common::v1::DirectoryLevel level = common::v1::CITY, std::string div = "") {
  return {"directoryEntries/1", level, div, d, s};
}

std::vector<v1::IneligibilityReason> Reasons(const v1::Eligibility& e) {
  std::vector<v1::IneligibilityReason> out;
  for (const auto& r : e.reasons()) out.push_back(r.reason());
  return out;
}

TEST(Eligibility, ActiveEntryOfTheRightDirectionIsEligible) {
  auto e = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true,
                             {Entry(common::v1::CONSULTING)}, {});
  EXPECT_TRUE(e.eligible());
  EXPECT_TRUE(e.reasons().empty());
  EXPECT_EQ(e.entries_size(), 1);
}

TEST(Eligibility, EveryReasonIsGiven) {
  auto unknown = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), false, {}, {});
  EXPECT_EQ(Reasons(unknown), std::vector{v1::UNKNOWN_INSTITUTION});
  auto absent = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true, {}, {});
  EXPECT_EQ(Reasons(absent), std::vector{v1::NOT_IN_DIRECTORY});
  auto direction = DecideEligibility(Req(common::v1::TRAINING_SERVICE), CivilDay(2026, 6, 1), true,
                                     {Entry(common::v1::CONSULTING)}, {});
  EXPECT_EQ(Reasons(direction), std::vector{v1::DIRECTION_NOT_COVERED});
  auto suspended = DecideEligibility(Req(common::v1::SOLUTION_DESIGN), CivilDay(2026, 6, 1), true,
                                     {Entry(common::v1::CONSULTING, v1::SUSPENDED)}, {});
  EXPECT_EQ(Reasons(suspended), std::vector{v1::ENTRY_SUSPENDED});
  SanctionFact bar{"sanctions/1", v1::BAR, CivilDay(2026, 3, 1), CivilDay(2029, 2, 28), false, {}};
  SanctionFact cancel{"sanctions/2",          v1::CANCEL, CivilDay(2026, 5, 1),
                      CivilDay(2026, 12, 31), false,      {}};
  auto both = DecideEligibility(Req(common::v1::DIAGNOSIS), CivilDay(2026, 6, 1), true,
                                {Entry(common::v1::CONSULTING)}, {bar, cancel});
  EXPECT_FALSE(both.eligible());
  EXPECT_EQ(Reasons(both), (std::vector{v1::BARRED, v1::CANCELLED}));
}

TEST(Eligibility, SanctionBoundariesAndLiftedSanctions) {
  SanctionFact bar{"sanctions/1", v1::BAR, CivilDay(2026, 3, 1), CivilDay(2029, 2, 28), false, {}};
  auto on = [&](CivilDay d, const SanctionFact& s) {
    return DecideEligibility(Req(common::v1::DIAGNOSIS), d, true, {Entry(common::v1::CONSULTING)},
                             {s})
        .eligible();
  };
  EXPECT_TRUE(on(CivilDay(2026, 2, 28), bar));   // the day before the bar
  EXPECT_FALSE(on(CivilDay(2026, 3, 1), bar));   // first day
  EXPECT_FALSE(on(CivilDay(2029, 2, 28), bar));  // last day
  EXPECT_TRUE(on(CivilDay(2029, 3, 1), bar));    // third anniversary: free again
  // A lift ends the bar early (R14.5 2026-12): barred before the lift day, free from it.
  bar.lifted = true;
  bar.lifted_on = CivilDay(2027, 1, 1);
  EXPECT_FALSE(on(CivilDay(2026, 12, 31), bar));
  EXPECT_TRUE(on(CivilDay(2027, 1, 1), bar));
  EXPECT_TRUE(InForceOn(bar, CivilDay(2026, 12, 31)));
  EXPECT_FALSE(InForceOn(bar, CivilDay(2027, 1, 1)));
}

TEST(Eligibility, CountyEntryCoversOnlyItsDivision) {
  auto county = Entry(common::v1::CONSULTING, v1::ACTIVE, common::v1::COUNTY, "330302");
  EXPECT_TRUE(DecideEligibility(Req(common::v1::DIAGNOSIS, "330302"), CivilDay(2026, 6, 1), true,
                                {county}, {})
                  .eligible());
  auto other = DecideEligibility(Req(common::v1::DIAGNOSIS, "330303"), CivilDay(2026, 6, 1), true,
                                 {county}, {});
  EXPECT_EQ(Reasons(other), std::vector{v1::NOT_IN_DIRECTORY});
}

}  // namespace
}  // namespace zhigai::registry