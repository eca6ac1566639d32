#include "services/evaluation/domain/bands.h"

namespace zhigai::evaluation {
namespace {

// RULES.md S1.2 and S3 Decision: the seed writes the bands as whole numbers ("61–70, 70
// included"); a value between two of them (60.5%, 70.5 points) belongs to the higher band, as
// the inequalities "60 < x ≤ 70" say. Reading the bands as upper bounds with the lower bound
// exclusive implements exactly that: 60.5 is not ≤ 60, so it falls into (60, 70].
// The value is num ÷ den on the 0–100 scale; x < N ⇔ num < den×N, x ≤ N ⇔ num ≤ den×N.
const Band& Lookup(const BandTable& table, __int128 num, __int128 den) {
  for (const BandTable::Bounded& b : table.bands) {
    __int128 limit = den * b.bound;
    if (b.inclusive ? num <= limit : num < limit) return b.band;
  }
  return table.top;
}

}  // namespace

const Band& PassRateBand(const BandTable& table, int64_t approved, int64_t declared) {
  return Lookup(table, static_cast<__int128>(approved) * 100, declared);
}

const Band& DefenceBand(const BandTable& table, int64_t sum_hundredths, int64_t count) {
  return Lookup(table, sum_hundredths, static_cast<__int128>(count) * 100);
}

}  // namespace zhigai::evaluation
