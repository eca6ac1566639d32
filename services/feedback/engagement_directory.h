// Where feedback learns the facts of an engagement it is asked about (owner, institution,
// state, delivery date). Tracking owns engagements; feedback reads them through this interface
// (tracking_directory.h calls tracking's GetEngagement), so tests and other sources plug in
// without touching the handlers.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/feedback/domain/engagement_fact.h"

namespace zhigai::feedback {

class EngagementDirectory {
 public:
  virtual ~EngagementDirectory() = default;
  // The facts of "engagements/{id}": NOT_FOUND, reason ENGAGEMENT_NOT_FOUND, when unknown;
  // UNAVAILABLE when the source cannot be reached.
  virtual absl::StatusOr<EngagementFacts> Get(const std::string& engagement) = 0;
};

}  // namespace zhigai::feedback
