// A read-through cache of what the hot read paths need (profiles for GetInstitution, per-year
// facts for CheckEligibility). Correct across replicas: every write notifies the
// `registry_changes` channel in its transaction and every replica drops that credit code when
// the notice arrives (db::NotificationListener); a fetch that raced with an invalidation is not
// stored (tickets); while the listener is disconnected the cache serves nothing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/registry/eligibility.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::registry {

struct CodeFacts {
  bool known = false;
  std::vector<std::pair<int, EntryFact>> entries;  // (year, entry) for the cached year
  std::vector<SanctionFact> sanctions;
};

class RegistryCache {
 public:
  struct Ticket {
    uint64_t global = 0, code = 0;
  };
  explicit RegistryCache(size_t max_codes_per_shard = 4096) : max_(max_codes_per_shard) {}

  void SetEnabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_.load(); }

  Ticket TicketFor(const std::string& code);
  std::optional<v1::Institution> Profile(const std::string& code);
  void PutProfile(const std::string& code, const Ticket& t, const v1::Institution& profile);
  std::optional<CodeFacts> Facts(const std::string& code, int year);
  void PutFacts(const std::string& code, int year, const Ticket& t, CodeFacts facts);

  void Invalidate(const std::string& code);
  void InvalidateAll();

 private:
  struct Entry {
    uint64_t generation = 0;
    std::optional<v1::Institution> profile;
    std::map<int, CodeFacts> facts;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& ShardFor(const std::string& code);
  bool Current(Shard& s, const std::string& code, const Ticket& t);

  size_t max_;
  std::atomic<bool> enabled_{false};
  std::atomic<uint64_t> global_{0};
  std::array<Shard, 16> shards_;
};

}  // namespace zhigai::registry
