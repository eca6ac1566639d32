#include "services/registry/cache.h"

#include <functional>

namespace zhigai::registry {

RegistryCache::Shard& RegistryCache::ShardFor(const std::string& code) {
  return shards_[std::hash<std::string>{}(code) % shards_.size()];
}

RegistryCache::Ticket RegistryCache::TicketFor(const std::string& code) {
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.entries.find(code);
  return {global_.load(), it == s.entries.end() ? 0 : it->second.generation};
}

bool RegistryCache::Current(Shard& s, const std::string& code, const Ticket& t) {
  if (!enabled_ || t.global != global_.load()) return false;
  auto it = s.entries.find(code);
  return (it == s.entries.end() ? 0 : it->second.generation) == t.code;
}

std::optional<v1::Institution> RegistryCache::Profile(const std::string& code) {
  if (!enabled_) return std::nullopt;
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.entries.find(code);
  if (it == s.entries.end()) return std::nullopt;
  return it->second.profile;
}

void RegistryCache::PutProfile(const std::string& code, const Ticket& t,
                               const v1::Institution& profile) {
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  if (!Current(s, code, t)) return;
  if (s.entries.size() >= max_ && !s.entries.count(code)) {
    ++global_;  // dropping generations: no ticket issued before this may store anything
    s.entries.clear();
    return;
  }
  s.entries[code].profile = profile;
}

std::optional<CodeFacts> RegistryCache::Facts(const std::string& code, int year) {
  if (!enabled_) return std::nullopt;
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.entries.find(code);
  if (it == s.entries.end()) return std::nullopt;
  auto f = it->second.facts.find(year);
  if (f == it->second.facts.end()) return std::nullopt;
  return f->second;
}

void RegistryCache::PutFacts(const std::string& code, int year, const Ticket& t, CodeFacts facts) {
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  if (!Current(s, code, t)) return;
  if (s.entries.size() >= max_ && !s.entries.count(code)) {
    ++global_;
    s.entries.clear();
    return;
  }
  s.entries[code].facts[year] = std::move(facts);
}

void RegistryCache::Invalidate(const std::string& code) {
  Shard& s = ShardFor(code);
  std::lock_guard<std::mutex> lock(s.mu);
  Entry& e = s.entries[code];
  ++e.generation;  // a fetch that started before this point will not be stored
  e.profile.reset();
  e.facts.clear();
}

void RegistryCache::InvalidateAll() {
  ++global_;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [code, e] : s.entries) {
      ++e.generation;
      e.profile.reset();
      e.facts.clear();
    }
  }
}

}  // namespace zhigai::registry
