#include "services/gateway/rate_limit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

std::string RateLimiter::ClientKey(absl::string_view peer) {
  absl::string_view host = peer;
  if (absl::ConsumePrefix(&host, "ipv4:")) {
    host = host.substr(0, host.rfind(':'));
  } else if (absl::ConsumePrefix(&host, "ipv6:") || absl::StartsWith(host, "[")) {
    absl::ConsumePrefix(&host, "[");
    host = host.substr(0, host.find(']'));
  }
  std::string text(host);
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;  // IPv4, a name, or empty
  char out[INET6_ADDRSTRLEN];
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    in_addr v4;
    std::memcpy(&v4, &v6.s6_addr[12], 4);
    return inet_ntop(AF_INET, &v4, out, sizeof out);
  }
  std::memset(&v6.s6_addr[8], 0, 8);
  return absl::StrCat(inet_ntop(AF_INET6, &v6, out, sizeof out), "/64");
}

RateLimiter::State& RateLimiter::Refilled(const std::string& key, const Bucket& size,
                                          absl::Time now) {
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
  return s;
}

namespace {
std::string PublicKey(absl::string_view peer) {
  return absl::StrCat("PUBLIC|", RateLimiter::ClientKey(peer));
}
}  // namespace

bool RateLimiter::Allow(const auth::Principal& who, absl::string_view peer, absl::Time now) {
  const Bucket& size = sizes_[static_cast<int>(who.role)];
  if (size.per_second <= 0) return true;
  std::string key = who.role == auth::Role::kPublic
                        ? PublicKey(peer)
                        : absl::StrCat(auth::RoleName(who.role), "|", who.subject);
  std::lock_guard<std::mutex> lock(mu_);
  State& s = Refilled(key, size, now);
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

bool RateLimiter::MayVerifyToken(absl::string_view peer, absl::Time now) {
  const Bucket& size = sizes_[static_cast<int>(auth::Role::kPublic)];
  if (size.per_second <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return Refilled(PublicKey(peer), size, now).tokens >= 1;
}

void RateLimiter::ChargeRefusedToken(absl::string_view peer, absl::Time now) {
  const Bucket& size = sizes_[static_cast<int>(auth::Role::kPublic)];
  if (size.per_second <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  State& s = Refilled(PublicKey(peer), size, now);
  s.tokens = std::max(0.0, s.tokens - 1);
}

}  // namespace zhigai::gateway
