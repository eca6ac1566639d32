// The rate limiter shared by every gateway thread: many threads take tokens for one hot
// principal, for principals of their own, for anonymous callers (by address) and for an
// unlimited role, while a shared clock advances. Built without gRPC so that it also runs
// under ThreadSanitizer (tools/zhigai test --tsan).
//
// Bound: a bucket never admits more than burst + rate × (latest time it saw − earliest time it
// saw); with callers far faster than the refill it admits all but a token of that.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/gateway/rate_limit.h"

namespace zhigai::gateway {
namespace {

using auth::Principal;
using auth::Role;

// What one bucket was asked and granted, and the span of times it was asked at.
struct Tally {
  std::atomic<int64_t> attempts{0}, admitted{0};
  std::atomic<int64_t> first_us{std::numeric_limits<int64_t>::max()}, last_us{0};

  void Record(int64_t us, bool ok) {
    ++attempts;
    if (ok) ++admitted;
    int64_t seen = first_us.load();
    while (us < seen && !first_us.compare_exchange_weak(seen, us)) {
    }
    seen = last_us.load();
    while (us > seen && !last_us.compare_exchange_weak(seen, us)) {
    }
  }
  double Bound(double rate, double burst) const {
    return burst + rate * static_cast<double>(last_us - first_us) / 1e6;
  }
};

constexpr double kRate = 1000, kBurst = 100;        // INSTITUTION
constexpr double kAnonRate = 200, kAnonBurst = 20;  // PUBLIC, per address
constexpr int kThreads = 8;
constexpr int kCallsPerThread = 20000;
constexpr int kCallsPerRound = 20;
constexpr int64_t kStepUs = 5;  // simulated time per call: 160,000 calls span 0.8 s; a round of
                                // 160 calls 0.8 ms, less than a token

TEST(RateLimitConcurrencyTest, ManyThreadsNeverExceedTheRateAndBucketsStayApart) {
  auto limiter = RateLimiter::Parse("INSTITUTION=1000/100,PUBLIC=200/20");
  ASSERT_TRUE(limiter.ok()) << limiter.status();
  RateLimiter& rl = *limiter;
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  std::atomic<int64_t> clock_us{0};

  Tally hot, city;
  std::vector<std::unique_ptr<Tally>> own(kThreads);
  for (auto& t : own) t = std::make_unique<Tally>();
  Tally anon[2];  // two addresses; each thread calls from its own port on one of them

  std::barrier round(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Principal hot_p{Role::kInstitution, "hot", "91330302123456788P", ""};
      const Principal own_p{Role::kInstitution, absl::StrCat("own-", t), "", ""};
      const Principal city_p{Role::kCityBureau, "c", "", "330300"};
      const Principal anon_p = Principal::Anonymous();
      const std::string peer = absl::StrCat("ipv4:10.0.0.", t % 2, ":", 40000 + t);
      for (int i = 0; i < kCallsPerThread; ++i) {
        // Threads meet every kCallsPerRound calls, so no bucket goes unasked for long enough to
        // fill up (a full bucket holds no more, which would make the floor below depend on the
        // scheduler); within a round they race freely.
        if (i % kCallsPerRound == 0) round.arrive_and_wait();
        // The clock is read before the limiter's lock, as in the gateway, so calls reach the
        // bucket slightly out of time order.
        const int64_t us = clock_us.fetch_add(kStepUs);
        const absl::Time now = t0 + absl::Microseconds(us);
        if (i % 16 == 15) {
          city.Record(us, rl.Allow(city_p, "", now));
        } else if (i % 4 < 2) {
          hot.Record(us, rl.Allow(hot_p, "", now));
        } else if (i % 4 == 2) {
          own[t]->Record(us, rl.Allow(own_p, "", now));
        } else {
          anon[t % 2].Record(us, rl.Allow(anon_p, peer, now));
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  // Every limited bucket was asked far more often than it refills, so each admitted close to
  // its bound and never above it: isolation means the hot principal's exhaustion took nothing
  // from the others, and the ports of one address shared one bucket (four separate buckets
  // per address would have admitted about four times the bound).
  auto check = [](const std::string& name, const Tally& tally, double rate, double burst) {
    const double bound = tally.Bound(rate, burst);
    SCOPED_TRACE(absl::StrCat(name, ": ", tally.admitted.load(), " of ", tally.attempts.load(),
                              " admitted, bound ", bound));
    EXPECT_GT(tally.attempts.load(), 3 * bound);
    EXPECT_LE(static_cast<double>(tally.admitted.load()), bound + 1e-6);
    EXPECT_GE(static_cast<double>(tally.admitted.load()), 0.98 * bound - 2);
  };
  check("hot", hot, kRate, kBurst);
  for (int t = 0; t < kThreads; ++t) {
    check(absl::StrCat("own-", t), *own[t], kRate, kBurst);
  }
  check("anonymous 10.0.0.0", anon[0], kAnonRate, kAnonBurst);
  check("anonymous 10.0.0.1", anon[1], kAnonRate, kAnonBurst);
  // A role without a limit is never refused, however busy the others are.
  EXPECT_EQ(city.admitted.load(), city.attempts.load());
  EXPECT_GT(city.attempts.load(), 0);

  // A newcomer after the storm gets its whole burst and no more.
  const absl::Time end = t0 + absl::Microseconds(clock_us.load());
  const Principal late{Role::kInstitution, "late", "", ""};
  for (int i = 0; i < kBurst; ++i) EXPECT_TRUE(rl.Allow(late, "", end)) << i;
  EXPECT_FALSE(rl.Allow(late, "", end));
}

TEST(RateLimitConcurrencyTest, AStaleClockReadingDoesNotDrainTheBucket) {
  // A thread that read the clock before another one took the lock arrives "in the past".
  auto rl = *RateLimiter::Parse("INSTITUTION=1/2");
  const Principal p{Role::kInstitution, "i-1", "", ""};
  const absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(rl.Allow(p, "", t));                       // 1 token left
  EXPECT_TRUE(rl.Allow(p, "", t + absl::Seconds(5)));    // refilled to 2, 1 left
  EXPECT_TRUE(rl.Allow(p, "", t + absl::Seconds(4.5)));  // within the limit: 3 calls in 5 s
  EXPECT_FALSE(rl.Allow(p, "", t + absl::Seconds(5)));   // and now the bucket is empty
}

}  // namespace
}  // namespace zhigai::gateway
