// The banded items of Attachment 3: the S1.2 pass rate and the S3 defence score. Both map a
// value on a 0–100 scale to points through a BandTable of the round's rule set (score_rules.h).
#pragma once

#include <cstdint>

#include "services/evaluation/domain/score_rules.h"

namespace zhigai::evaluation {

// S1.2: the band of approved ÷ declared (declared > 0, 0 ≤ approved ≤ declared), decided by
// exact integer comparison approved×100 vs declared×N.
const Band& PassRateBand(const BandTable& table, int64_t approved, int64_t declared);

// S3: the band of the panel's mean score, given as the sum of the members' scores in
// hundredths of a point and the number of members (count > 0); decided by exact integer
// comparison sum vs count×100×N, so the mean is never rounded before it is banded.
const Band& DefenceBand(const BandTable& table, int64_t sum_hundredths, int64_t count);

}  // namespace zhigai::evaluation
