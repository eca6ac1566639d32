// Enterprise ratings of an engagement (Attachment 3, S2.1 service content and S2.2 service
// results): the four satisfaction levels, their points, and validation of a submitted rating.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::feedback {

// An enterprise's overall verdict on one item (总体评价).
enum class SatisfactionLevel {
  kVerySatisfied,    // 非常满意, 10 points
  kFairlySatisfied,  // 比较满意, 8 points
  kAverage,          // 一般, 5 points
  kUnsatisfied,      // 不满意, 0 points
};

// Points of a level per S2.1 and S2.2: 10, 8, 5, 0.
int SatisfactionPoints(SatisfactionLevel level);

// Proto and storage names ("VERY_SATISFIED", "FAIRLY_SATISFIED", "AVERAGE", "UNSATISFIED").
absl::string_view SatisfactionLevelName(SatisfactionLevel level);
std::optional<SatisfactionLevel> ParseSatisfactionLevel(absl::string_view name);

// A rating as submitted. A missing item (proto *_UNSPECIFIED) is nullopt. The comment's
// 500-character limit is checked by the handler, not here.
struct RatingInput {
  std::optional<SatisfactionLevel> content;  // S2.1 服务内容
  std::optional<SatisfactionLevel> results;  // S2.2 服务成效
};

// A validated rating: both items present.
struct Rating {
  SatisfactionLevel content;
  SatisfactionLevel results;
  friend bool operator==(const Rating&, const Rating&) = default;
};

// Both items are required. INVALID_ARGUMENT names every missing one: field "content" (S2.1),
// field "results" (S2.2).
absl::StatusOr<Rating> ValidateRating(const RatingInput& input);

}  // namespace zhigai::feedback
