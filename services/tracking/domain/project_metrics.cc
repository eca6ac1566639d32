#include "services/tracking/domain/project_metrics.h"

#include <map>
#include <utility>

namespace zhigai::tracking {
namespace {

using MetricsKey = std::pair<std::string, ConsultingKind>;

std::vector<ProjectMetrics> ToRows(std::map<MetricsKey, ProjectMetrics> by_key) {
  std::vector<ProjectMetrics> rows;
  rows.reserve(by_key.size());
  for (auto& [key, metrics] : by_key) rows.push_back(std::move(metrics));
  return rows;
}

}  // namespace

int ProjectYear(const ProjectRecord& record) {
  return static_cast<int>(record.declaration_date.year());
}

std::vector<ProjectMetrics> AggregateProjectMetrics(absl::Span<const ProjectRecord> records,
                                                    int year) {
  std::map<absl::string_view, const ProjectRecord*> latest;
  for (const ProjectRecord& record : records) {
    if (ProjectYear(record) != year) continue;
    auto [it, inserted] = latest.emplace(record.project_id, &record);
    if (!inserted && it->second->revision < record.revision) it->second = &record;
  }
  std::map<MetricsKey, ProjectMetrics> by_key;
  for (const auto& [id, record] : latest) {
    ProjectMetrics& metrics = by_key[{record->institution_credit_code, record->kind}];
    metrics.institution_credit_code = record->institution_credit_code;
    metrics.kind = record->kind;
    ++metrics.declared;
    if (ApprovedByBoth(*record)) ++metrics.approved_by_both;
  }
  return ToRows(std::move(by_key));
}

std::vector<ProjectMetrics> AggregateProjectCounts(absl::Span<const ProjectCounts> rows, int year) {
  std::map<MetricsKey, const ProjectCounts*> latest;
  for (const ProjectCounts& row : rows) {
    if (row.year != year) continue;
    auto [it, inserted] = latest.emplace(MetricsKey{row.institution_credit_code, row.kind}, &row);
    if (!inserted && it->second->revision < row.revision) it->second = &row;
  }
  std::map<MetricsKey, ProjectMetrics> by_key;
  for (const auto& [key, row] : latest) {
    by_key[key] = ProjectMetrics{row->institution_credit_code, row->kind, row->declared,
                                 row->approved_by_both};
  }
  return ToRows(std::move(by_key));
}

}  // namespace zhigai::tracking
