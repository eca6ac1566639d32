#include "services/feedback/domain/rating.h"

#include <array>
#include <utility>

#include "libs/core/errors.h"
#include "libs/core/rating_points.h"

namespace zhigai::feedback {
namespace {

struct LevelInfo {
  SatisfactionLevel level;
  absl::string_view name;
  int points;
};

// The levels with their S2.1/S2.2 points (the one table: libs/core/rating_points.h).
constexpr std::array<LevelInfo, 4> kLevels = {{
    {SatisfactionLevel::kVerySatisfied, "VERY_SATISFIED", core::kVerySatisfiedPoints},
    {SatisfactionLevel::kFairlySatisfied, "FAIRLY_SATISFIED", core::kFairlySatisfiedPoints},
    {SatisfactionLevel::kAverage, "AVERAGE", core::kAveragePoints},
    {SatisfactionLevel::kUnsatisfied, "UNSATISFIED", core::kUnsatisfiedPoints},
}};

const LevelInfo& InfoOf(SatisfactionLevel level) {
  for (const auto& info : kLevels) {
    if (info.level == level) return info;
  }
  return kLevels.back();  // unreachable for a valid enumerator
}

}  // namespace

int SatisfactionPoints(SatisfactionLevel level) { return InfoOf(level).points; }

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
