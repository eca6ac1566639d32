// The pull: the institutions in scope from the registry's city directory, then ONE batch call
// per source service for all of them (tracking: projects of Y−1; training: tests of Y;
// feedback: ratings and complaints of Y−1; registry: sanctions in force in Y), called as the
// evaluation's SERVICE principal. gRPC stays in the .cc file.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace grpc {
class ClientContext;
}

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/evaluation/snapshot.h"

namespace zhigai::evaluation {

struct SourceAddresses {
  std::string registry, tracking, training, feedback;  // "host:port"
};

class MetricSources {
 public:
  virtual ~MetricSources() = default;
  // The whole snapshot or an error: UNAVAILABLE with reason <SOURCE>_UNAVAILABLE (e.g.
  // TRACKING_UNAVAILABLE) naming the first source that failed or answered incompletely.
  virtual absl::StatusOr<PulledSnapshot> Pull(int year, bool include_previous_directory) = 0;
  // The sanctions in force on any day of `year` (the registry's year filter), lifted ones
  // included and marked: what ranking and publication read again (S4). UNAVAILABLE
  // REGISTRY_UNAVAILABLE when the registry cannot answer.
  virtual absl::StatusOr<std::vector<SanctionFact>> Sanctions(int year) = 0;
};

class GrpcMetricSources final : public MetricSources {
 public:
  GrpcMetricSources(SourceAddresses addresses, std::string internal_proof,
                    absl::Duration timeout = absl::Seconds(60));
  ~GrpcMetricSources() override;
  absl::StatusOr<PulledSnapshot> Pull(int year, bool include_previous_directory) override;
  absl::StatusOr<std::vector<SanctionFact>> Sanctions(int year) override;

 private:
  void Prepare(grpc::ClientContext& ctx) const;
  struct Stubs;
  SourceAddresses addresses_;
  std::string proof_;
  absl::Duration timeout_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace zhigai::evaluation
