#include "services/evaluation/domain/rational.h"

#include <limits>

#include "absl/strings/str_format.h"

namespace zhigai::evaluation {
namespace {

using int128 = __int128;

int128 Abs(int128 v) { return v < 0 ? -v : v; }

int128 Gcd(int128 a, int128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool FitsInt64(int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

}  // namespace

std::optional<Rational> Rational::Fraction(int128 num, int128 den) {
  if (den == 0) return std::nullopt;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  int128 g = Gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (!FitsInt64(num) || !FitsInt64(den)) return std::nullopt;
  return Rational(static_cast<int64_t>(num), static_cast<int64_t>(den));
}

std::optional<Rational> Sum(const Rational& a, const Rational& b) {
  // Both terms fit in int64, so every product fits in int128 and the sum cannot overflow
  // before Fraction reduces it.
  int128 g = Gcd(a.den_, b.den_);
  int128 num =
      static_cast<int128>(a.num_) * (b.den_ / g) + static_cast<int128>(b.num_) * (a.den_ / g);
  int128 den = static_cast<int128>(a.den_) * (b.den_ / g);
  return Rational::Fraction(num, den);
}

std::strong_ordering operator<=>(const Rational& a, const Rational& b) {
  int128 left = static_cast<int128>(a.num_) * b.den_;
  int128 right = static_cast<int128>(b.num_) * a.den_;
  return left <=> right;
}

int64_t Rational::RoundedHundredths() const {
  // Half away from zero: floor((2·|num|·100 + den) / (2·den)), sign restored afterwards.
  int128 magnitude =
      (2 * Abs(static_cast<int128>(num_)) * 100 + den_) / (2 * static_cast<int128>(den_));
  return static_cast<int64_t>(num_ < 0 ? -magnitude : magnitude);
}

std::string Rational::ToFixed2() const { return FormatHundredths(RoundedHundredths()); }

std::string FormatHundredths(int64_t hundredths) {
  // Unsigned magnitude so that INT64_MIN does not overflow when negated.
  uint64_t magnitude = hundredths < 0 ? 0 - static_cast<uint64_t>(hundredths) : hundredths;
  return absl::StrFormat("%s%d.%02d", hundredths < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

}  // namespace zhigai::evaluation
