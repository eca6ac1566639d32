#include <gtest/gtest.h>

#include "libs/peers/registry_eligibility.h"

namespace zhigai::peers {
namespace {

TEST(EligibilityCacheTest, AnswersKeepForTheirTimeThenExpire) {
  absl::Time now = absl::FromUnixSeconds(1000);
  EligibilityCache cache(absl::Seconds(30), 100, [&] { return now; });
  EligibilityQuery q{"91330302123456788P", "DIAGNOSIS", "2026-03-02", "330302"};
  EXPECT_FALSE(cache.Find(q).has_value());
  EligibilityAnswer yes;
  yes.eligible = true;
  yes.entries = {"directoryEntries/1"};
  cache.Put(q, yes);
  now += absl::Seconds(29);
  ASSERT_TRUE(cache.Find(q).has_value());
  EXPECT_EQ(cache.Find(q)->entries, yes.entries);
  now += absl::Seconds(1);
  EXPECT_FALSE(cache.Find(q).has_value());
}

TEST(EligibilityCacheTest, EveryPartOfTheQueryIsPartOfTheKey) {
  absl::Time now = absl::FromUnixSeconds(1000);
  EligibilityCache cache(absl::Seconds(30), 100, [&] { return now; });
  EligibilityQuery q{"91330302123456788P", "DIAGNOSIS", "2026-03-02", "330302"};
  cache.Put(q, EligibilityAnswer{true, {}, {}});
  for (auto change : {+[](EligibilityQuery& x) { x.credit_code = "91330303MA2H3K4L4J"; },
                      +[](EligibilityQuery& x) { x.service_kind = "SOLUTION_DESIGN"; },
                      +[](EligibilityQuery& x) { x.date = "2027-03-02"; },
                      +[](EligibilityQuery& x) { x.division_code = "330303"; }}) {
    EligibilityQuery other = q;
    change(other);
    EXPECT_FALSE(cache.Find(other).has_value());
  }
}

TEST(EligibilityCacheTest, StaysBounded) {
  absl::Time now = absl::FromUnixSeconds(1000);
  EligibilityCache cache(absl::Seconds(30), 2, [&] { return now; });
  EligibilityQuery a{"A", "DIAGNOSIS", "2026-01-01", ""}, b = a, c = a;
  b.credit_code = "B";
  c.credit_code = "C";
  cache.Put(a, {});
  cache.Put(b, {});
  cache.Put(c, {});  // full: cleared, then c stored
  EXPECT_FALSE(cache.Find(a).has_value());
  EXPECT_TRUE(cache.Find(c).has_value());
}

}  // namespace
}  // namespace zhigai::peers
