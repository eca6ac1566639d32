#include "services/evaluation/domain/bands.h"

#include <array>

namespace zhigai::evaluation {
namespace {

// A band holds the values up to its bound: strictly below it for the first band ("< 50%"),
// up to and including it for the others ("≤ 60%"); the last band has no bound.
struct BoundedBand {
  int64_t bound;  // on the 0–100 scale
  bool inclusive;
  Band band;
};

// RULES.md S1.2 and S3 Decision: the seed writes the bands as whole numbers ("61–70, 70
// included"); a value between two of them (60.5%, 70.5 points) belongs to the higher band, as
// the inequalities "60 < x ≤ 70" say. Reading the bands as upper bounds with the lower bound
// exclusive implements exactly that: 60.5 is not ≤ 60, so it falls into (60, 70].
constexpr std::array<BoundedBand, 5> kPassRateBands = {{
    {50, false, {0, "rate < 50%", "合格率<50%"}},
    {60, true, {2, "50% ≤ rate ≤ 60%", "50%≤合格率≤60%"}},
    {70, true, {4, "60% < rate ≤ 70%", "60%<合格率≤70%"}},
    {80, true, {6, "70% < rate ≤ 80%", "70%<合格率≤80%"}},
    {90, true, {8, "80% < rate ≤ 90%", "80%<合格率≤90%"}},
}};
constexpr Band kPassRateTop = {10, "rate > 90%", "合格率>90%"};

constexpr std::array<BoundedBand, 4> kDefenceBands = {{
    {60, false, {0, "s < 60", "s<60分"}},
    {70, true, {15, "60 ≤ s ≤ 70", "60分≤s≤70分"}},
    {80, true, {20, "70 < s ≤ 80", "70分<s≤80分"}},
    {90, true, {25, "80 < s ≤ 90", "80分<s≤90分"}},
}};
constexpr Band kDefenceTop = {30, "s > 90", "s>90分"};

// The value is num ÷ den on the 0–100 scale; x < N ⇔ num < den×N, x ≤ N ⇔ num ≤ den×N.
template <std::size_t kSize>
const Band& Lookup(const std::array<BoundedBand, kSize>& table, const Band& top, __int128 num,
                   __int128 den) {
  for (const BoundedBand& b : table) {
    __int128 limit = den * b.bound;
    if (b.inclusive ? num <= limit : num < limit) return b.band;
  }
  return top;
}

}  // namespace

const Band& PassRateBand(int64_t approved, int64_t declared) {
  return Lookup(kPassRateBands, kPassRateTop, static_cast<__int128>(approved) * 100, declared);
}

const Band& DefenceBand(int64_t sum_hundredths, int64_t count) {
  return Lookup(kDefenceBands, kDefenceTop, sum_hundredths, static_cast<__int128>(count) * 100);
}

}  // namespace zhigai::evaluation
