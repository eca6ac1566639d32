#include "services/training/domain/scaled_mean.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::training {
namespace {

__extension__ typedef __int128 Int;

// Limit for the common denominator: leaves room for the x10 and for a numerator sum of a few
// thousand tests without overflowing 128 bits.
constexpr Int kMaxDenominator = static_cast<Int>(1) << 100;

Int Gcd(Int a, Int b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    Int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

std::string ToText(Int v) {
  if (v == 0) return "0";
  std::string digits;
  while (v > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return digits;
}

}  // namespace

absl::StatusOr<std::string> ScaledMeanText(const std::vector<ScaledTest>& tests) {
  if (tests.empty()) return std::string("0");
  Violations violations;
  for (size_t i = 0; i < tests.size(); ++i) {
    const ScaledTest& t = tests[i];
    if (t.full_marks_hundredths <= 0) {
      violations.Add(absl::StrCat("tests[", i, "].full_marks_hundredths"), "S1.3",
                     "full marks must be positive");
    } else if (t.score_hundredths < 0 || t.score_hundredths > t.full_marks_hundredths) {
      violations.Add(absl::StrCat("tests[", i, "].score_hundredths"), "S1.3",
                     "the score must be between 0 and the full marks");
    }
  }
  if (absl::Status s = violations.Finish("测评成绩有误"); !s.ok()) return s;

  // sum = num / den, kept reduced: sum over tests of score / full.
  Int num = 0;
  Int den = 1;
  for (const ScaledTest& t : tests) {
    const Int f = t.full_marks_hundredths;
    const Int g = Gcd(den, f);
    const Int lcm = den / g * f;
    if (lcm > kMaxDenominator) {
      return absl::OutOfRangeError("too many different full marks to average exactly");
    }
    num = num * (lcm / den) + static_cast<Int>(t.score_hundredths) * (lcm / f);
    den = lcm;
    const Int r = Gcd(num, den);
    if (r > 1) {
      num /= r;
      den /= r;
    }
  }
  // mean x 10 = num * 10 / (den * n)
  Int n = num * 10;
  Int d = den * static_cast<Int>(tests.size());
  const Int r = Gcd(n, d);
  if (r > 1) {
    n /= r;
    d /= r;
  }
  std::string text = ToText(n / d);
  Int rem = n % d;
  if (rem == 0) return text;
  std::string decimals;
  for (int i = 0; i < kScaledMeanMaxDecimals && rem != 0; ++i) {
    rem *= 10;
    decimals.push_back(static_cast<char>('0' + static_cast<int>(rem / d)));
    rem %= d;
  }
  while (!decimals.empty() && decimals.back() == '0') decimals.pop_back();
  if (decimals.empty()) return text;
  return absl::StrCat(text, ".", decimals);
}

bool IsCounted(TestAttendance attendance) { return attendance != TestAttendance::kAbsentExcused; }

int64_t CountedScoreHundredths(TestAttendance attendance, int64_t score_hundredths) {
  return attendance == TestAttendance::kTaken ? score_hundredths : 0;
}

}  // namespace zhigai::training
