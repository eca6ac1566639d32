#include "services/gateway/rate_limit.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace zhigai::gateway {

absl::StatusOr<RateLimiter> RateLimiter::Parse(absl::string_view text) {
  RateLimiter limiter;
  std::array<bool, 8> named{};
  Bucket fallback;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, '=');
    std::pair<absl::string_view, absl::string_view> rb = absl::StrSplit(kv.second, '/');
    Bucket b;
    if (!absl::SimpleAtod(rb.first, &b.per_second) || !absl::SimpleAtod(rb.second, &b.burst) ||
        b.per_second < 0 || b.burst < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("rate limit '", item, "' must look like ROLE=<per second>/<burst>"));
    }
    if (kv.first == "*") {
      fallback = b;
      continue;
    }
    auto role = auth::RoleFromName(kv.first);
    if (!role)
      return absl::InvalidArgumentError(absl::StrCat("rate limit: unknown role ", kv.first));
    limiter.sizes_[static_cast<int>(*role)] = b;
    named[static_cast<int>(*role)] = true;
  }
  for (int i = 0; i < 8; ++i) {
    if (!named[i]) limiter.sizes_[i] = fallback;
  }
  return limiter;
}

bool RateLimiter::Allow(const auth::Principal& who, absl::string_view peer, absl::Time now) {
  const Bucket& size = sizes_[static_cast<int>(who.role)];
  if (size.per_second <= 0) return true;
  std::string key = who.role == auth::Role::kPublic
                        ? absl::StrCat("PUBLIC|", peer.substr(0, peer.rfind(':')))
                        : absl::StrCat(auth::RoleName(who.role), "|", who.subject);
  std::lock_guard<std::mutex> lock(mu_);
  // Buckets idle long enough to be full again carry no information: drop them now and then so
  // the table does not grow with every caller ever seen.
  if (now - last_sweep_ > absl::Minutes(1)) {
    last_sweep_ = now;
    absl::erase_if(buckets_,
                   [&](const auto& kv) { return now - kv.second.last > absl::Minutes(5); });
  }
  auto [it, fresh] = buckets_.try_emplace(key, State{size.burst, now});
  State& s = it->second;
  // Callers read the clock before they queue for the lock, so `now` can be a little older than
  // the bucket's last refill. Such a call refills nothing: a negative refill would take tokens
  // from a full bucket and could refuse a caller who is within the limit.
  if (!fresh && now > s.last) {
    s.tokens =
        std::min(size.burst, s.tokens + absl::ToDoubleSeconds(now - s.last) * size.per_second);
    s.last = now;
  }
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

}  // namespace zhigai::gateway
