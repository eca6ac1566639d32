#include "libs/core/sanction_terms.h"

namespace zhigai::core {
namespace {
constexpr int kBarYears = 3;  // R14.5: 三年内
}  // namespace

absl::CivilDay BarFirstFreeDay(absl::CivilDay start) {
  // Constructing from fields normalises 29 Feb of a non-leap year to 1 March.
  return absl::CivilDay(start.year() + kBarYears, start.month(), start.day());
}

}  // namespace zhigai::core
