// R14.4: an established plagiarism or copying finding cancels the institution's eligibility
// for the rest of that calendar year.
#pragma once

#include "absl/time/civil_time.h"

namespace zhigai::feedback {

// Both ends inclusive.
struct CancellationWindow {
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  friend bool operator==(const CancellationWindow&, const CancellationWindow&) = default;
};

// [finding_day, 31 December of finding_day's year]: the finding day itself is cancelled.
CancellationWindow PlagiarismCancellation(absl::CivilDay finding_day);

bool IsCancelledOn(const CancellationWindow& window, absl::CivilDay day);

}  // namespace zhigai::feedback
