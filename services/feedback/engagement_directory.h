// Where feedback learns the facts of an engagement it is asked about (owner, institution,
// state, delivery date). Tracking owns engagements; feedback only reads them through this
// interface, so the source can change (a pushed copy today, tracking's GetEngagement later)
// without touching the handlers.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/feedback/domain/engagement_fact.h"

namespace zhigai::feedback {

class FeedbackStore;

class EngagementDirectory {
 public:
  virtual ~EngagementDirectory() = default;
  // The facts of "engagements/{id}": NOT_FOUND, reason ENGAGEMENT_NOT_FOUND, when unknown;
  // UNAVAILABLE when the source cannot be reached.
  virtual absl::StatusOr<EngagementFacts> Get(const std::string& engagement) = 0;
};

// Reads the engagement_facts table that tracking fills through RecordEngagementFact.
class StoredEngagementDirectory final : public EngagementDirectory {
 public:
  explicit StoredEngagementDirectory(FeedbackStore& store) : store_(store) {}
  absl::StatusOr<EngagementFacts> Get(const std::string& engagement) override;

 private:
  FeedbackStore& store_;
};

}  // namespace zhigai::feedback
