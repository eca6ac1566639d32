// Counts mode: the policy platform may push one row per (year, institution, kind) with the
// numbers already counted, instead of project records.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "services/tracking/domain/consulting_kind.h"

namespace zhigai::tracking {

struct ProjectCountsInput {
  int year = 0;  // the declaration year the counts cover
  std::string institution_credit_code;
  std::string kind;  // "DIAGNOSIS" or "SOLUTION_DESIGN"
  int64_t declared = 0;
  int64_t approved_by_both = 0;
  int64_t revision = 0;
};

struct ProjectCounts {
  int year = 0;
  std::string institution_credit_code;
  ConsultingKind kind = ConsultingKind::kDiagnosis;
  int64_t declared = 0;
  int64_t approved_by_both = 0;
  int64_t revision = 0;
  friend bool operator==(const ProjectCounts&, const ProjectCounts&) = default;
};

// One status per row naming every bad field: year (2000-2100), institution_credit_code (R0.1),
// kind, declared >= 0, approved_by_both >= 0 and <= declared, revision >= 1.
absl::StatusOr<ProjectCounts> ValidateProjectCounts(const ProjectCountsInput& input);

}  // namespace zhigai::tracking
