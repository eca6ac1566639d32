#include "services/tracking/domain/project_counts.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"

namespace zhigai::tracking {

absl::StatusOr<ProjectCounts> ValidateProjectCounts(const ProjectCountsInput& input) {
  Violations violations;
  if (input.year < core::kMinBusinessYear || input.year > core::kMaxBusinessYear) {
    violations.Add("year", "S1.1",
                   absl::StrCat("year must be between ", core::kMinBusinessYear, " and ",
                                core::kMaxBusinessYear, ", not ", input.year));
  }
  violations.Absorb(
      core::ValidateCreditCode(input.institution_credit_code, "institution_credit_code"));
  std::optional<ConsultingKind> kind = ParseConsultingKind(input.kind);
  if (!kind.has_value()) {
    violations.Add(
        "kind", "S1.1",
        absl::StrCat("kind must be DIAGNOSIS or SOLUTION_DESIGN, not '", input.kind, "'"));
  }
  if (input.declared < 0) {
    violations.Add("declared", "S1.2",
                   absl::StrCat("declared must not be negative, not ", input.declared));
  }
  if (input.approved_by_both < 0) {
    violations.Add(
        "approved_by_both", "S1.1",
        absl::StrCat("approved_by_both must not be negative, not ", input.approved_by_both));
  } else if (input.declared >= 0 && input.approved_by_both > input.declared) {
    violations.Add("approved_by_both", "S1.2",
                   absl::StrCat("approved_by_both ", input.approved_by_both, " exceeds declared ",
                                input.declared));
  }
  if (input.revision < 1) {
    violations.Add("revision", "S1.1",
                   absl::StrCat("revision must be 1 or more, not ", input.revision));
  }
  if (!violations.empty()) return violations.Finish("政策平台推送的项目统计有误");
  return ProjectCounts{input.year,     input.institution_credit_code, *kind,
                       input.declared, input.approved_by_both,        input.revision};
}

}  // namespace zhigai::tracking
