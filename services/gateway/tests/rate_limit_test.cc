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

// Issue 22 item 11: the gRPC and HTTP/JSON listeners report one client differently; both map
// to one key. IPv6 is parsed, not cut at its last ':', and keyed by its /64.
TEST(RateLimitTest, ClientKeyIsTheAddressWhicheverListenerReportsIt) {
  EXPECT_EQ(RateLimiter::ClientKey("ipv4:10.0.0.1:1111"), "10.0.0.1");
  EXPECT_EQ(RateLimiter::ClientKey("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(RateLimiter::ClientKey("ipv6:[2001:db8:1:2:3:4:5:6]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::ClientKey("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
  EXPECT_NE(RateLimiter::ClientKey("2001:db8:1:3::9"), RateLimiter::ClientKey("2001:db8:1:2::9"));
  EXPECT_EQ(RateLimiter::ClientKey("ipv6:[::ffff:10.0.0.1]:80"), "10.0.0.1");
  EXPECT_EQ(RateLimiter::ClientKey("::ffff:10.0.0.1"), "10.0.0.1");

  auto rl = *RateLimiter::Parse("PUBLIC=1/1,*=100/100");
  absl::Time t = absl::FromUnixSeconds(1000);
  Principal anon = Principal::Anonymous();
  EXPECT_TRUE(rl.Allow(anon, "ipv6:[2001:db8::1]:1111", t));
  EXPECT_FALSE(rl.Allow(anon, "2001:db8::1", t));     // same client over HTTP/JSON
  EXPECT_FALSE(rl.Allow(anon, "2001:db8::2", t));     // same /64
  EXPECT_TRUE(rl.Allow(anon, "2001:db8:0:1::1", t));  // another /64
}

TEST(RateLimitTest, RefusedTokensSpendTheAddressPublicAllowance) {
  auto rl = *RateLimiter::Parse("PUBLIC=1/2,*=100/100");
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(rl.MayVerifyToken("ipv4:10.0.0.1:1", t));
  rl.ChargeRefusedToken("ipv4:10.0.0.1:1", t);
  EXPECT_TRUE(rl.MayVerifyToken("10.0.0.1", t));
  rl.ChargeRefusedToken("10.0.0.1", t);
  EXPECT_FALSE(rl.MayVerifyToken("ipv4:10.0.0.1:2", t));
  EXPECT_FALSE(rl.Allow(Principal::Anonymous(), "10.0.0.1", t));
  EXPECT_TRUE(rl.MayVerifyToken("10.0.0.2", t));                     // another address
  EXPECT_TRUE(rl.MayVerifyToken("10.0.0.1", t + absl::Seconds(1)));  // refilled
  auto unlimited = *RateLimiter::Parse("");
  unlimited.ChargeRefusedToken("10.0.0.1", t);
  EXPECT_TRUE(unlimited.MayVerifyToken("10.0.0.1", t));
}

TEST(RateLimitTest, RejectsBadSettings) {
  EXPECT_FALSE(RateLimiter::Parse("NOBODY=1/1").ok());
  EXPECT_FALSE(RateLimiter::Parse("PUBLIC=1").ok());
  EXPECT_FALSE(RateLimiter::Parse("PUBLIC=1/0").ok());
  EXPECT_TRUE(RateLimiter::Parse("").ok());
}

}  // namespace
}  // namespace zhigai::gateway
