#include "services/feedback/domain/plagiarism.h"

#include "libs/core/sanction_terms.h"

namespace zhigai::feedback {

CancellationWindow PlagiarismCancellation(absl::CivilDay finding_day) {
  // R14.4: "取消当年" — the calendar year of the finding, through 31 December.
  return {finding_day, core::CancellationLastDay(finding_day)};
}

bool IsCancelledOn(const CancellationWindow& window, absl::CivilDay day) {
  return window.first_day <= day && day <= window.last_day;
}

}  // namespace zhigai::feedback
