// Business directions an institution applies for (RULES.md R3.1): CONSULTING covers
// intelligent diagnosis and solution design, TRAINING covers training and promotion.
#pragma once

#include "absl/strings/string_view.h"

namespace zhigai::review {

enum class Direction { kConsulting, kTraining };

// Stable UPPER_SNAKE names ("CONSULTING", "TRAINING") used in messages and figures.
absl::string_view DirectionName(Direction direction);
// Chinese label for messages to people (诊断咨询, 培训推广).
absl::string_view DirectionChinese(Direction direction);

}  // namespace zhigai::review
