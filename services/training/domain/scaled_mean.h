// S1.3 on the wire: the mean of a year's scaled test scores (score / full marks x 10) as exact
// decimal text, so the evaluation service can round once at the end (S4: totals from
// unrounded items) without inheriting binary floating-point error from here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/training/domain/test_scores.h"

namespace zhigai::training {

// One counted test: marks and full marks in hundredths (integers on the wire).
struct ScaledTest {
  int64_t score_hundredths = 0;
  int64_t full_marks_hundredths = 0;
};

// Digits after the decimal point when the mean does not terminate (1/3 ...): the text is
// truncated there, never rounded, so it cannot cross a band boundary the exact value is under.
inline constexpr int kScaledMeanMaxDecimals = 18;

// The mean of score / full x 10 over `tests`, computed with integers: exact digits when the
// expansion terminates, else kScaledMeanMaxDecimals digits, truncated. No trailing zeros
// ("8.5", "10", "3.333333333333333333"); "0" when `tests` is empty (S1.3 Decision).
// INVALID_ARGUMENT for full marks <= 0 or a score outside 0..full marks; OUT_OF_RANGE if the
// common denominator would overflow 128 bits (full marks of many different sizes).
absl::StatusOr<std::string> ScaledMeanText(const std::vector<ScaledTest>& tests);

// R8.1 Decision, per result: whether it is one of the year's counted tests (an excused absence
// is left out) and as what (every absence that is not excused scores 0).
bool IsCounted(TestAttendance attendance);
int64_t CountedScoreHundredths(TestAttendance attendance, int64_t score_hundredths);

}  // namespace zhigai::training
