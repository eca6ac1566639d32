// Exact scores. Every Attachment 3 item is a ratio of small integers (a mean of ratings, a mean
// of scaled test scores, a count capped at 30), so scores are kept as reduced fractions of two
// int64 values and compared by cross-multiplying in 128 bits: comparisons are exact, no
// floating-point value ever decides a band, a total or a rank (RULES.md S4 "totals are computed
// from unrounded items"). Only display rounds, to two decimals.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace zhigai::evaluation {

class Rational {
 public:
  constexpr Rational() = default;  // zero

  static constexpr Rational Integer(int64_t value) { return Rational(value, 1); }

  // num/den reduced to lowest terms with a positive denominator. nullopt when den is 0 or the
  // reduced terms do not fit in int64 (callers report that as input too large to score).
  static std::optional<Rational> Fraction(__int128 num, __int128 den);

  int64_t numerator() const { return num_; }
  int64_t denominator() const { return den_; }

  // Value × 100 rounded half away from zero: 8.125 → 813, 8.124999… → 812.
  int64_t RoundedHundredths() const;
  // "8.45", "30.00", "0.00": the fixed two-decimal form every score is shown in.
  std::string ToFixed2() const;

  friend std::optional<Rational> Sum(const Rational& a, const Rational& b);
  friend std::strong_ordering operator<=>(const Rational& a, const Rational& b);
  // Terms are always reduced, so equal values have equal terms.
  friend bool operator==(const Rational& a, const Rational& b) = default;

 private:
  constexpr Rational(int64_t num, int64_t den) : num_(num), den_(den) {}

  int64_t num_ = 0;
  int64_t den_ = 1;
};

// Hundredths of a point (8450 → "84.50") in the same fixed two-decimal form.
std::string FormatHundredths(int64_t hundredths);

}  // namespace zhigai::evaluation
