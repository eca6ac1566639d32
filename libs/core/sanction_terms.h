// How long the sanctions of R14.4 and R14.5 last: the one computation every service uses
// (feedback orders them, the registry keeps and applies them).
#pragma once

#include "absl/time/civil_time.h"

namespace zhigai::core {

// R14.5 Decision: a bar covers [start, start + years): with the measures' three years
// (SanctionRules::bar_years, data/sanction-rules.tsv) the third anniversary of its first day is
// the first free day. A 29 February start has no anniversary; absl::CivilDay normalises
// 29 Feb of year+3 to 1 March, so 28 February is the last barred day.
absl::CivilDay BarFirstFreeDay(absl::CivilDay start, int years);
inline absl::CivilDay BarLastDay(absl::CivilDay start, int years) {
  return BarFirstFreeDay(start, years) - 1;
}

// R14.4: a cancellation runs to 31 December of the year of its first day ("当年"): a term
// fixed by the calendar, not a figure a revision changes, so it is not in the rule file.
inline absl::CivilDay CancellationLastDay(absl::CivilDay start) {
  return absl::CivilDay(start.year(), 12, 31);
}

}  // namespace zhigai::core
