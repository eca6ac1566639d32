#include "services/feedback/domain/engagement_fact.h"

namespace zhigai::feedback {

std::optional<int> EngagementYear(const EngagementFacts& facts) {
  if (!facts.delivered_on.has_value()) return std::nullopt;
  return static_cast<int>(facts.delivered_on->year());
}

}  // namespace zhigai::feedback
