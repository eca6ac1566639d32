// Per-principal token buckets, sized per role. A caller is its role and subject; anonymous
// callers share the PUBLIC role but each peer address gets its own bucket.
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

 private:
  struct State {
    double tokens;
    absl::Time last;
  };
  std::array<Bucket, 8> sizes_{};
  std::mutex mu_;
  absl::flat_hash_map<std::string, State> buckets_;
  absl::Time last_sweep_ = absl::InfinitePast();
};

}  // namespace zhigai::gateway
