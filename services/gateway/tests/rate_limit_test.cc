// Token buckets: burst, refill, per-principal isolation, anonymous callers by address.
#include "services/gateway/rate_limit.h"

#include <gtest/gtest.h>

namespace zhigai::gateway {
namespace {

using auth::Principal;
using auth::Role;

TEST(RateLimitTest, BurstThenRefill) {
  auto rl = RateLimiter::Parse("INSTITUTION=2/3");
  ASSERT_TRUE(rl.ok()) << rl.status();
  Principal p{Role::kInstitution, "i-1", "91330302123456788P", ""};
  absl::Time t = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl->Allow(p, "ipv4:1.2.3.4:5", t)) << i;
  EXPECT_FALSE(rl->Allow(p, "ipv4:1.2.3.4:5", t));
  EXPECT_FALSE(rl->Allow(p, "ipv4:1.2.3.4:5", t + absl::Milliseconds(400)));
  EXPECT_TRUE(rl->Allow(p, "ipv4:1.2.3.4:5", t + absl::Milliseconds(600)));
  // Another institution has its own bucket; other roles are not limited (no '*').
  Principal q{Role::kInstitution, "i-2", "91330303MA2H3K4L4J", ""};
  EXPECT_TRUE(rl->Allow(q, "", t));
  Principal city{Role::kCityBureau, "c", "", "330300"};
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(rl->Allow(city, "", t));
}

TEST(RateLimitTest, AnonymousCallersAreLimitedPerAddress) {
  auto rl = *RateLimiter::Parse("PUBLIC=1/1,*=100/100");
  absl::Time t = absl::FromUnixSeconds(1000);
  Principal anon = Principal::Anonymous();
  EXPECT_TRUE(rl.Allow(anon, "ipv4:10.0.0.1:1111", t));
  EXPECT_FALSE(rl.Allow(anon, "ipv4:10.0.0.1:2222", t));  // same address, other port
  EXPECT_TRUE(rl.Allow(anon, "ipv4:10.0.0.2:1111", t));
}

TEST(RateLimitTest, RejectsBadSettings) {
  EXPECT_FALSE(RateLimiter::Parse("NOBODY=1/1").ok());
  EXPECT_FALSE(RateLimiter::Parse("PUBLIC=1").ok());
  EXPECT_FALSE(RateLimiter::Parse("PUBLIC=1/0").ok());
  EXPECT_TRUE(RateLimiter::Parse("").ok());
}

}  // namespace
}  // namespace zhigai::gateway
