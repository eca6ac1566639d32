#include "services/tracking/domain/consulting_kind.h"

namespace zhigai::tracking {

absl::string_view ConsultingKindName(ConsultingKind kind) {
  return kind == ConsultingKind::kDiagnosis ? "DIAGNOSIS" : "SOLUTION_DESIGN";
}

std::optional<ConsultingKind> ParseConsultingKind(absl::string_view name) {
  if (name == "DIAGNOSIS") return ConsultingKind::kDiagnosis;
  if (name == "SOLUTION_DESIGN") return ConsultingKind::kSolutionDesign;
  return std::nullopt;
}

}  // namespace zhigai::tracking
