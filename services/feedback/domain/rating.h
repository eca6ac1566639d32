// Enterprise ratings of an engagement (Attachment 3, S2.1 service content and S2.2 service
// results): the four satisfaction levels and validation of a submitted rating. Their points
// belong to the evaluation's score rules (s2.rating_points, by version).
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::feedback {

// An enterprise's overall verdict on one item (总体评价).
enum class SatisfactionLevel {
  kVerySatisfied,    // 非常满意
  kFairlySatisfied,  // 比较满意
  kAverage,          // 一般
  kUnsatisfied,      // 不满意
};

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
