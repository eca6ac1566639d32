#include "services/feedback/domain/rating.h"

#include <array>
#include <utility>

#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

struct LevelInfo {
  SatisfactionLevel level;
  absl::string_view name;
};

// The levels as the API names them. Their points are the evaluation's (s2.rating_points in
// data/score-rules.tsv, by version): feedback counts ratings per level and never scores them.
constexpr std::array<LevelInfo, 4> kLevels = {{
    {SatisfactionLevel::kVerySatisfied, "VERY_SATISFIED"},
    {SatisfactionLevel::kFairlySatisfied, "FAIRLY_SATISFIED"},
    {SatisfactionLevel::kAverage, "AVERAGE"},
    {SatisfactionLevel::kUnsatisfied, "UNSATISFIED"},
}};

const LevelInfo& InfoOf(SatisfactionLevel level) {
  for (const auto& info : kLevels) {
    if (info.level == level) return info;
  }
  return kLevels.back();  // unreachable for a valid enumerator
}

}  // namespace

absl::string_view SatisfactionLevelName(SatisfactionLevel level) { return InfoOf(level).name; }

std::optional<SatisfactionLevel> ParseSatisfactionLevel(absl::string_view name) {
  for (const auto& info : kLevels) {
    if (info.name == name) return info.level;
  }
  return std::nullopt;
}

absl::StatusOr<Rating> ValidateRating(const RatingInput& input) {
  Violations violations;
  if (!input.content.has_value()) {
    violations.Add("content", "S2.1", "content: the service-content rating is required");
  }
  if (!input.results.has_value()) {
    violations.Add("results", "S2.2", "results: the service-results rating is required");
  }
  if (!violations.empty()) return violations.Finish("服务内容和服务成效两项评价均须填写");
  return Rating{*input.content, *input.results};
}

}  // namespace zhigai::feedback
