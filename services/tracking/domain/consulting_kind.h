// The consulting services an engagement or a policy-platform project can be (R3.1): training
// (TRAINING_SERVICE) is tracked by the training service, never here.
#pragma once

#include <optional>

#include "absl/strings/string_view.h"

namespace zhigai::tracking {

enum class ConsultingKind {
  kDiagnosis,       // 智能化诊断, S1.1 +1
  kSolutionDesign,  // 智能化方案设计, S1.1 +2
};

// The common.v1.ServiceKind names: "DIAGNOSIS", "SOLUTION_DESIGN".
absl::string_view ConsultingKindName(ConsultingKind kind);

// nullopt for any other name, including "TRAINING_SERVICE" and "SERVICE_KIND_UNSPECIFIED".
std::optional<ConsultingKind> ParseConsultingKind(absl::string_view name);

}  // namespace zhigai::tracking
