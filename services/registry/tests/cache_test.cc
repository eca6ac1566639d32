// The cache's rules without a database: hits, invalidation, tickets that refuse stale fills,
// and many threads at once (this test is also run under ThreadSanitizer).
#include "services/registry/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace zhigai::registry {
namespace {

v1::Institution Named(const std::string& code, const std::string& name) {
  v1::Institution in;
  in.set_credit_code(code);
  in.set_display_name(name);
  return in;
}

TEST(RegistryCache, ServesNothingUntilEnabled) {
  RegistryCache cache;
  auto t = cache.TicketFor("A");
  cache.PutProfile("A", t, Named("A", "x"));
  EXPECT_FALSE(cache.Profile("A").has_value());
  cache.SetEnabled(true);
  cache.PutProfile("A", cache.TicketFor("A"), Named("A", "x"));
  EXPECT_EQ(cache.Profile("A")->display_name(), "x");
}

TEST(RegistryCache, AFillThatRacedWithAnInvalidationIsNotStored) {
  RegistryCache cache;
  cache.SetEnabled(true);
  auto before = cache.TicketFor("A");  // a reader starts fetching
  cache.Invalidate("A");               // a writer commits meanwhile
  cache.PutProfile("A", before, Named("A", "old"));
  EXPECT_FALSE(cache.Profile("A").has_value());
  auto after = cache.TicketFor("A");
  cache.PutFacts("A", 2026, before, CodeFacts{true, {}, {}});
  EXPECT_FALSE(cache.Facts("A", 2026).has_value());
  cache.PutFacts("A", 2026, after, CodeFacts{true, {}, {}});
  EXPECT_TRUE(cache.Facts("A", 2026).has_value());
  cache.InvalidateAll();
  EXPECT_FALSE(cache.Facts("A", 2026).has_value());
  cache.PutFacts("A", 2026, after, CodeFacts{true, {}, {}});  // ticket from before the gap
  EXPECT_FALSE(cache.Facts("A", 2026).has_value());
}

TEST(RegistryCache, OverflowDropsEverythingAndRefusesOlderTickets) {
  RegistryCache cache(2);
  cache.SetEnabled(true);
  std::vector<std::string> codes;
  for (int i = 0; i < 200; ++i) codes.push_back("C" + std::to_string(i));
  for (const auto& c : codes) cache.PutProfile(c, cache.TicketFor(c), Named(c, c));
  int cached = 0;
  for (const auto& c : codes) cached += cache.Profile(c).has_value();
  EXPECT_LE(cached, 16 * 2);  // bounded: 16 shards of at most 2 codes
}

TEST(RegistryCache, ConcurrentReadersWritersAndInvalidationsNeverServeAnInvalidatedValue) {
  RegistryCache cache;
  cache.SetEnabled(true);
  std::atomic<int> version{0};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  // Writer: bumps the "database" version, then invalidates (as the store does after commit).
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) {
      version++;
      cache.Invalidate("A");
    }
    stop = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        // When the reader starts, every version below `before` has been invalidated, so a hit
        // may lag only by the one invalidation that can still be in flight.
        int before = version.load();
        if (auto hit = cache.Profile("A")) {
          if (std::stoi(hit->display_name()) < before - 1) stale++;
          continue;
        }
        auto t = cache.TicketFor("A");
        int v = version.load();
        cache.PutProfile("A", t, Named("A", std::to_string(v)));
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(stale.load(), 0);
}

}  // namespace
}  // namespace zhigai::registry
