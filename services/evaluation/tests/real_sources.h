// The four REAL source services (registry, tracking, training, feedback) in-process, each on
// its own schema of one test database and over real gRPC on port 0, plus helpers that enter
// data through their handlers. Used by the end-to-end test and the round benchmark (no gtest).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "libs/db/testing/test_database.h"
#include "services/evaluation/sources.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"
#include "zhigai/training/v1/training.grpc.pb.h"

namespace zhigai::evaluation::testing {

inline constexpr char kRealProof[] = "real-sources-proof";

// A context as the gateway would send it for `p`.
std::unique_ptr<grpc::ClientContext> AsPrincipal(const auth::Principal& p);
// A valid credit code numbered n (family "E2E").
std::string RealCode(int n);

class RealSources {
 public:
  // `year`: the evaluation year Y. Tracking, feedback and the registry run on a clock in
  // mid-Y−1 (engagements and ratings of Y−1), training on a clock late in Y.
  RealSources(db::testing::TestDatabase& db, int year);
  ~RealSources();

  SourceAddresses addresses() const { return addresses_; }
  registry::v1::RegistryService::Stub& registry() { return *registry_stub_; }
  tracking::v1::TrackingService::Stub& tracking() { return *tracking_stub_; }
  training::v1::TrainingService::Stub& training() { return *training_stub_; }
  feedback::v1::FeedbackService::Stub& feedback() { return *feedback_stub_; }

  // Registers the institution and admits it to the CITY directory of each of `years`.
  bool Admit(const std::string& code, const std::string& name, const std::vector<int>& years);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SourceAddresses addresses_;
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<tracking::v1::TrackingService::Stub> tracking_stub_;
  std::unique_ptr<training::v1::TrainingService::Stub> training_stub_;
  std::unique_ptr<feedback::v1::FeedbackService::Stub> feedback_stub_;
};

}  // namespace zhigai::evaluation::testing
