// Is an institution allowed to serve (registry's CheckEligibility: registered, in the directory
// for the year and direction, not barred or cancelled)? Asked by every service whose writes the
// rules reserve to eligible institutions (tracking's engagements, R12.1; training's events,
// R13; review's applications, R14.4/R14.5), through the registry over gRPC as the calling
// service's SERVICE principal, with a short in-process cache of answers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhigai::registry::v1 {
class Eligibility;
}

namespace zhigai::peers {

struct EligibilityQuery {
  std::string credit_code;
  std::string service_kind;   // common.v1.ServiceKind name: "DIAGNOSIS", "SOLUTION_DESIGN"
  std::string date;           // YYYY-MM-DD
  std::string division_code;  // the enterprise's division (a county entry covers only it)
  auto Key() const { return std::tie(credit_code, service_kind, date, division_code); }
  friend bool operator<(const EligibilityQuery& a, const EligibilityQuery& b) {
    return a.Key() < b.Key();
  }
};

struct IneligibilityReason {
  std::string reason;  // registry.v1.IneligibilityReason name, e.g. "BARRED"
  std::string rule;    // e.g. "R14.5"
  std::string message;
};

struct EligibilityAnswer {
  bool eligible = false;
  std::vector<IneligibilityReason> reasons;  // empty when eligible
  std::vector<std::string> entries;          // directory entries that make it eligible
};

class EligibilityChecker {
 public:
  virtual ~EligibilityChecker() = default;
  // UNAVAILABLE (reason REGISTRY_UNAVAILABLE) when the registry cannot answer; the registry's
  // own refusal (INVALID_ARGUMENT, PERMISSION_DENIED, ...) with its code (peer_call.h).
  virtual absl::StatusOr<EligibilityAnswer> Check(const EligibilityQuery& query) = 0;
  // Many at once, answers in the queries' order (the registry's batch call for what the cache
  // does not hold). The same errors as Check.
  virtual absl::StatusOr<std::vector<EligibilityAnswer>> CheckMany(
      const std::vector<EligibilityQuery>& queries);
};

// Answers keep for `ttl` (both "eligible" and "not eligible": a sanction imposed a moment ago
// shows at the latest after ttl). Failures are never cached. Bounded: when full it is cleared.
class EligibilityCache {
 public:
  using Clock = std::function<absl::Time()>;
  EligibilityCache(absl::Duration ttl, size_t capacity, Clock clock)
      : ttl_(ttl), capacity_(capacity), clock_(std::move(clock)) {}
  std::optional<EligibilityAnswer> Find(const EligibilityQuery& query);
  void Put(const EligibilityQuery& query, EligibilityAnswer answer);

 private:
  struct Slot {
    EligibilityAnswer answer;
    absl::Time expires;
  };
  absl::Duration ttl_;
  size_t capacity_;
  Clock clock_;
  std::mutex mu_;
  std::map<EligibilityQuery, Slot> slots_;
};

struct RegistryEligibilityOptions {
  std::string service;         // the caller: the SERVICE principal's subject ("tracking")
  std::string address;         // registry_addr
  std::string internal_proof;  // sent with the SERVICE principal
  absl::Duration timeout = absl::Seconds(2);
  absl::Duration cache_ttl = absl::Seconds(30);
  size_t cache_capacity = 10000;
};

// The real checker: one channel to the registry, the cache in front of it.
class RegistryEligibility final : public EligibilityChecker {
 public:
  explicit RegistryEligibility(RegistryEligibilityOptions options);
  ~RegistryEligibility() override;
  absl::StatusOr<EligibilityAnswer> Check(const EligibilityQuery& query) override;
  absl::StatusOr<std::vector<EligibilityAnswer>> CheckMany(
      const std::vector<EligibilityQuery>& queries) override;

 private:
  struct Stub;
  RegistryEligibilityOptions options_;
  EligibilityCache cache_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace zhigai::peers
