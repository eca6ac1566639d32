// Ids of the sanction commands feedback writes to its outbox for the registry. The registry
// is idempotent on the id, so the id is derived from what the sanction is, never random:
// re-evaluating complaints or re-recording a finding can never create a second sanction.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::feedback {

enum class SanctionKind {
  kBar,           // R14.5, three years (complaint_bar.h)
  kCancellation,  // R14.4, rest of the calendar year (plagiarism.h)
};

// "bar:<institution code>:<YYYY-MM-DD>" or "cancel:<institution code>:<YYYY-MM-DD>", where the
// date is the sanction's first day.
std::string SanctionCommandId(absl::string_view institution_credit_code, SanctionKind kind,
                              absl::CivilDay start);

}  // namespace zhigai::feedback
