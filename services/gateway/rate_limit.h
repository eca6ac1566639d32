// Per-principal token buckets, sized per role. A caller is its role and subject; anonymous
// callers share the PUBLIC role but each client address gets its own bucket (issue 22 item 11):
// one key per client whether it calls over gRPC or HTTP/JSON, an IPv6 client keyed by its /64
// (one host's usual allocation), and a bearer token that fails verification charged to the
// same bucket, which is consulted before the signature is checked.
#pragma once

#include <array>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"

namespace zhigai::gateway {

struct Bucket {
  double per_second = 0;  // 0 = unlimited
  double burst = 0;
};

class RateLimiter {
 public:
  // "PUBLIC=20/40,INSTITUTION=50/100,*=100/200": calls a second / burst, per role; '*' is every
  // role not named. An empty text means no limit.
  static absl::StatusOr<RateLimiter> Parse(absl::string_view text);
  RateLimiter() = default;
  // Copies carry the sizes, not the buckets (a configuration value, not live state).
  RateLimiter(const RateLimiter& other) : sizes_(other.sizes_) {}
  RateLimiter& operator=(const RateLimiter& other) {
    sizes_ = other.sizes_;
    return *this;
  }

  bool Allow(const auth::Principal& who, absl::string_view peer, absl::Time now);

  // Before a bearer token's signature is checked: false when the client's PUBLIC bucket is
  // empty, so junk tokens cost no signature check once the address has spent its allowance.
  // Takes nothing; a token that then fails verification is charged with ChargeRefusedToken.
  bool MayVerifyToken(absl::string_view peer, absl::Time now);
  void ChargeRefusedToken(absl::string_view peer, absl::Time now);

  // The bucket key of a client address as either listener reports it: gRPC-style
  // "ipv4:H:P" / "ipv6:[H]:P", or the bare host of the HTTP/JSON listener. IPv4-mapped IPv6
  // addresses are their IPv4 address; other IPv6 addresses are cut to their /64.
  static std::string ClientKey(absl::string_view peer);

 private:
  struct State {
    double tokens;
    absl::Time last;
  };
  // The bucket of `key`, refilled to `now`; the caller holds mu_.
  State& Refilled(const std::string& key, const Bucket& size, absl::Time now);
  std::array<Bucket, 8> sizes_{};
  std::mutex mu_;
  absl::flat_hash_map<std::string, State> buckets_;
  absl::Time last_sweep_ = absl::InfinitePast();
};

}  // namespace zhigai::gateway
