#include "services/feedback/domain/plagiarism.h"

namespace zhigai::feedback {

CancellationWindow PlagiarismCancellation(absl::CivilDay finding_day) {
  // R14.4: "取消当年" — the calendar year of the finding, through 31 December.
  return {finding_day, absl::CivilDay(finding_day.year(), 12, 31)};
}

bool IsCancelledOn(const CancellationWindow& window, absl::CivilDay day) {
  return window.first_day <= day && day <= window.last_day;
}

}  // namespace zhigai::feedback
