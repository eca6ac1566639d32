// The engagement directory backed by the tracking service (tracking.v1 GetEngagement), called
// as feedback's SERVICE principal. gRPC headers stay in the .cc file.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/feedback/engagement_directory.h"

namespace grpc {
class Channel;
}
namespace zhigai::tracking::v1 {
class Engagement;
}

namespace zhigai::feedback {

// Tracking's engagement as feedback's facts. The delivery date is the Asia/Shanghai date of
// the progress event that moved the engagement to DELIVERED (or, were that event missing, to
// ENTERPRISE_ACCEPTED). INTERNAL when tracking's answer is inconsistent (unknown state, a
// delivered engagement without such an event).
absl::StatusOr<EngagementFacts> FactsFromTracking(const tracking::v1::Engagement& engagement);

class TrackingEngagementDirectory final : public EngagementDirectory {
 public:
  TrackingEngagementDirectory(std::shared_ptr<grpc::Channel> channel, std::string internal_proof,
                              absl::Duration timeout = absl::Seconds(3));
  // NOT_FOUND (ENGAGEMENT_NOT_FOUND) when tracking does not know it; UNAVAILABLE
  // (TRACKING_UNAVAILABLE) when tracking is down, slow or busy: nothing is written then, and
  // the caller may retry with the same request_id.
  absl::StatusOr<EngagementFacts> Get(const std::string& engagement) override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string proof_;
  absl::Duration timeout_;
};

}  // namespace zhigai::feedback
