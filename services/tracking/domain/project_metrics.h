// Per-institution project figures for S1.1 (successful projects) and S1.2 (pass rate).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "services/tracking/domain/consulting_kind.h"
#include "services/tracking/domain/project_counts.h"
#include "services/tracking/domain/project_record.h"

namespace zhigai::tracking {

struct ProjectMetrics {
  std::string institution_credit_code;
  ConsultingKind kind = ConsultingKind::kDiagnosis;
  int64_t declared = 0;
  int64_t approved_by_both = 0;
  friend bool operator==(const ProjectMetrics&, const ProjectMetrics&) = default;
};

// Decision (task, RULES.md silent): a project belongs to the year of its declaration date
// ("上年度在平台上申报"), whenever the bureaus decided it. The store keeps this year next to each
// row so that its SQL aggregates never restate the decision.
int ProjectYear(const ProjectRecord& record);

// Records of other years than `year` (ProjectYear) are ignored. When a project id occurs more than
// once only its highest revision counts, so a caller that passes every stored revision cannot
// double-count. Rows are sorted by institution code, then kind (DIAGNOSIS first); only
// (institution, kind) pairs with a declared project appear.
std::vector<ProjectMetrics> AggregateProjectMetrics(absl::Span<const ProjectRecord> records,
                                                    int year);

// Counts mode: the rows of `year`, highest revision per (institution, kind), same order.
std::vector<ProjectMetrics> AggregateProjectCounts(absl::Span<const ProjectCounts> rows, int year);

}  // namespace zhigai::tracking
