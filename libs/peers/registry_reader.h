// What other services read from the registry besides eligibility: whether an institution is
// registered (a complaint, an assignment or a sanction names one), and the bars a bureau lifted
// (R14.5 2026-12: a new bar may follow a lifted one). Over gRPC as the calling service's SERVICE
// principal; the registry's refusals keep their codes (peer_call.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace zhigai::peers {

struct LiftedBarFact {
  absl::CivilDay start;
  absl::CivilDay lifted_on;  // first day it no longer applied
};

class RegistryReader {
 public:
  virtual ~RegistryReader() = default;
  // OK when registered; NOT_FOUND INSTITUTION_NOT_REGISTERED naming `field` and the code;
  // UNAVAILABLE REGISTRY_UNAVAILABLE when the registry cannot answer.
  virtual absl::Status InstitutionExists(const std::string& credit_code,
                                         const std::string& field) = 0;
  virtual absl::StatusOr<std::vector<LiftedBarFact>> LiftedBars(const std::string& credit_code) = 0;
};

struct RegistryReaderOptions {
  std::string service;  // the caller: the SERVICE principal's subject
  std::string address;
  std::string internal_proof;
  absl::Duration timeout = absl::Seconds(2);
};

class GrpcRegistryReader final : public RegistryReader {
 public:
  explicit GrpcRegistryReader(RegistryReaderOptions options);
  ~GrpcRegistryReader() override;
  absl::Status InstitutionExists(const std::string& credit_code, const std::string& field) override;
  absl::StatusOr<std::vector<LiftedBarFact>> LiftedBars(const std::string& credit_code) override;

 private:
  struct Stub;
  RegistryReaderOptions options_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace zhigai::peers
