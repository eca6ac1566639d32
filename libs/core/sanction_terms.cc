#include "libs/core/sanction_terms.h"

namespace zhigai::core {

absl::CivilDay BarFirstFreeDay(absl::CivilDay start, int years) {
  // Constructing from fields normalises 29 Feb of a non-leap year to 1 March.
  return absl::CivilDay(start.year() + years, start.month(), start.day());
}

}  // namespace zhigai::core
