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
  if (input.declared < 0 || input.declared > kMaxProjectsPerKindAndYear) {
    violations.Add("declared", "S1.2",
                   absl::StrCat("declared must be between 0 and ", kMaxProjectsPerKindAndYear,
                                ", not ", input.declared));
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
  const bool by_as_of = input.revision == 0 && input.as_of.has_value();
  if (input.revision < 0 || (input.revision == 0 && !by_as_of)) {
    violations.Add("revision", "S1.1",
                   absl::StrCat("revision must be 1 or more, or 0 with as_of (the as-of instant "
                                "then orders the rows), not ",
                                input.revision, input.revision == 0 ? " without as_of" : ""));
  }
  if (by_as_of && *input.as_of <= absl::UnixEpoch()) {
    violations.Add("as_of", "S1.1", "as_of must be after 1970-01-01T00:00:00Z");
  }
  if (!violations.empty()) return violations.Finish("政策平台推送的项目统计有误");
  return ProjectCounts{input.year,
                       input.institution_credit_code,
                       *kind,
                       input.declared,
                       input.approved_by_both,
                       by_as_of ? absl::ToUnixMicros(*input.as_of) : input.revision,
                       by_as_of};
}

absl::Status CheckCountsOrdering(bool key_ordered_by_as_of, bool row_ordered_by_as_of,
                                 absl::string_view key) {
  if (key_ordered_by_as_of == row_ordered_by_as_of) return absl::OkStatus();
  return RuleViolation(
      "ORDERING_MIXED", "S1.1",
      absl::StrCat(key, " is ordered by ", key_ordered_by_as_of ? "as_of instants" : "revisions",
                   ": send ",
                   key_ordered_by_as_of ? "revision 0 with as_of" : "a revision number (>= 1)",
                   " as before"),
      "同一机构、年度和类别的统计须始终以同一方式排序（修订号或统计时点）");
}

}  // namespace zhigai::tracking
