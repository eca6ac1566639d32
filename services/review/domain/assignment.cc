#include "services/review/domain/assignment.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

absl::Status CheckInput(const std::vector<Expert>& pool,
                        const std::vector<ReviewedApplication>& applications, int k) {
  Violations v;
  if (k < 1) v.Add("experts_per_application", "R7.1", "at least one expert per application");
  std::set<std::string> experts;
  for (const Expert& e : pool) {
    if (!experts.insert(e.id).second) {
      v.Add("experts", "R7.1", absl::StrCat("expert ", e.id, " is listed twice"));
    }
  }
  std::set<std::string> apps;
  for (const ReviewedApplication& a : applications) {
    if (!apps.insert(a.id).second) {
      v.Add("applications", "R7.1", absl::StrCat("application ", a.id, " is listed twice"));
    }
  }
  return v.Finish("专家分配参数有误");
}

}  // namespace

absl::StatusOr<std::vector<ExpertAssignment>> AssignExperts(
    const std::vector<Expert>& pool, const std::vector<ReviewedApplication>& applications,
    int experts_per_application) {
  absl::Status input = CheckInput(pool, applications, experts_per_application);
  if (!input.ok()) return input;
  const size_t k = static_cast<size_t>(experts_per_application);

  // candidates[a]: indexes into `pool` of the experts free of conflict with application a.
  std::vector<std::vector<size_t>> candidates(applications.size());
  std::vector<std::string> short_of_experts;
  for (size_t a = 0; a < applications.size(); ++a) {
    for (size_t e = 0; e < pool.size(); ++e) {
      if (CheckConflict(pool[e], applications[a]).ok()) candidates[a].push_back(e);
    }
    if (candidates[a].size() < k) {
      short_of_experts.push_back(
          absl::StrCat(applications[a].id, " (", candidates[a].size(), " conflict-free)"));
    }
  }
  if (!short_of_experts.empty()) {
    return RuleViolation("NOT_ENOUGH_EXPERTS", "R7.1",
                         absl::StrCat("fewer than ", k, " conflict-free experts for: ",
                                      absl::StrJoin(short_of_experts, ", ")),
                         absl::StrCat("以下申报无法分配到 ", k, " 名无需回避的专家：",
                                      absl::StrJoin(short_of_experts, "、")));
  }

  std::vector<size_t> order(applications.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return candidates[x].size() < candidates[y].size(); });

  std::vector<int> load(pool.size(), 0);
  std::vector<ExpertAssignment> result(applications.size());
  for (size_t a : order) {
    std::vector<size_t>& c = candidates[a];
    std::stable_sort(c.begin(), c.end(), [&](size_t x, size_t y) { return load[x] < load[y]; });
    result[a].application_id = applications[a].id;
    for (size_t i = 0; i < k; ++i) {
      ++load[c[i]];
      result[a].expert_ids.push_back(pool[c[i]].id);
    }
  }
  return result;
}

}  // namespace zhigai::review
