// S2.1 and S2.2 inputs for the annual evaluation: the mean points per item over the ratings
// an institution received for the year's engagements (the caller selects those ratings).
#pragma once

#include <cstdint>

#include "absl/types/span.h"
#include "services/feedback/domain/rating.h"

namespace zhigai::feedback {

struct SatisfactionMetrics {
  int64_t count = 0;           // ratings received
  int64_t content_points = 0;  // S2.1 sum, exact
  int64_t results_points = 0;  // S2.2 sum, exact
  double content_mean = 0;     // S2.1 mean, unrounded; 0 when count is 0
  double results_mean = 0;     // S2.2 mean, unrounded; 0 when count is 0
};

// S2.1/S2.2 Decision: the item's score is the mean over the ratings received; none -> 0.
SatisfactionMetrics ComputeSatisfactionMetrics(absl::Span<const Rating> ratings);

}  // namespace zhigai::feedback
