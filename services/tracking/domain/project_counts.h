// Counts mode: the policy platform may push one row per (year, institution, kind) with the
// numbers already counted, instead of project records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/tracking/domain/consulting_kind.h"

namespace zhigai::tracking {

// The most projects of one kind an institution can declare in a year: far above what any
// institution could serve (the programme's whole year is a few thousand engagements), so a
// real figure always fits and an absurd one is refused rather than stored (approved_by_both is
// bounded by declared).
inline constexpr int64_t kMaxProjectsPerKindAndYear = 1'000'000;

struct ProjectCountsInput {
  int year = 0;  // the declaration year the counts cover
  std::string institution_credit_code;
  std::string kind;  // "DIAGNOSIS" or "SOLUTION_DESIGN"
  int64_t declared = 0;
  int64_t approved_by_both = 0;
  int64_t revision = 0;  // 0: the row is ordered by as_of instead
  std::optional<absl::Time> as_of;
};

struct ProjectCounts {
  int year = 0;
  std::string institution_credit_code;
  ConsultingKind kind = ConsultingKind::kDiagnosis;
  int64_t declared = 0;
  int64_t approved_by_both = 0;
  // The order of the key's rows: the platform's revision, or, for a row sent without one, its
  // as-of instant in microseconds since 1970 (then ordered_by_as_of).
  int64_t revision = 0;
  bool ordered_by_as_of = false;
  friend bool operator==(const ProjectCounts&, const ProjectCounts&) = default;
};

// One status per row naming every bad field: year (2000-2100), institution_credit_code (R0.1),
// kind, declared >= 0, approved_by_both >= 0 and <= declared, and either revision >= 1 or
// revision 0 with an as_of instant (issue 12: a platform without revision numbers sends the
// as-of time of its figures, and the later instant wins).
absl::StatusOr<ProjectCounts> ValidateProjectCounts(const ProjectCountsInput& input);

// One (year, institution, kind) is ordered one way for ever: by revisions or by as-of instants.
// Mixing them would let an as-of row (microseconds since 1970) outrank every revision number
// and make later revisions STALE, so a row of the other kind is refused (ORDERING_MIXED, S1.1).
absl::Status CheckCountsOrdering(bool key_ordered_by_as_of, bool row_ordered_by_as_of,
                                 absl::string_view key);

}  // namespace zhigai::tracking
