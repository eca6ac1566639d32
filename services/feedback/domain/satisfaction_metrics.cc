#include "services/feedback/domain/satisfaction_metrics.h"

namespace zhigai::feedback {

SatisfactionMetrics ComputeSatisfactionMetrics(absl::Span<const Rating> ratings) {
  SatisfactionMetrics metrics;
  for (const Rating& rating : ratings) {
    ++metrics.count;
    metrics.content_points += SatisfactionPoints(rating.content);
    metrics.results_points += SatisfactionPoints(rating.results);
  }
  // S2.1/S2.2 Decision: no ratings -> 0 (the defaults), never a division by zero.
  if (metrics.count > 0) {
    metrics.content_mean =
        static_cast<double>(metrics.content_points) / static_cast<double>(metrics.count);
    metrics.results_mean =
        static_cast<double>(metrics.results_points) / static_cast<double>(metrics.count);
  }
  return metrics;
}

}  // namespace zhigai::feedback
