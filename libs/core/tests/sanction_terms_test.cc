#include "libs/core/sanction_terms.h"

#include <gtest/gtest.h>

namespace zhigai::core {
namespace {

TEST(SanctionTermsTest, ABarLastsThreeYearsToTheDayBeforeTheThirdAnniversary) {
  EXPECT_EQ(BarFirstFreeDay(absl::CivilDay(2026, 3, 15), 3), absl::CivilDay(2029, 3, 15));
  EXPECT_EQ(BarLastDay(absl::CivilDay(2026, 3, 15), 3), absl::CivilDay(2029, 3, 14));
  // 29 February has no anniversary three years on: 1 March is the first free day.
  EXPECT_EQ(BarFirstFreeDay(absl::CivilDay(2024, 2, 29), 3), absl::CivilDay(2027, 3, 1));
  EXPECT_EQ(BarLastDay(absl::CivilDay(2024, 2, 29), 3), absl::CivilDay(2027, 2, 28));
  // A revision's term (data/sanction-rules.tsv) is used as given: four years keeps 29 Feb.
  EXPECT_EQ(BarFirstFreeDay(absl::CivilDay(2024, 2, 29), 4), absl::CivilDay(2028, 2, 29));
}

TEST(SanctionTermsTest, ACancellationRunsToTheEndOfItsYear) {
  EXPECT_EQ(CancellationLastDay(absl::CivilDay(2026, 9, 8)), absl::CivilDay(2026, 12, 31));
  EXPECT_EQ(CancellationLastDay(absl::CivilDay(2026, 12, 31)), absl::CivilDay(2026, 12, 31));
}

}  // namespace
}  // namespace zhigai::core
