// Attachment 3, S2.1 and S2.2: the points of each overall rating an enterprise gives. The one
// table every service uses (feedback sums ratings, evaluation scores them).
#pragma once

namespace zhigai::core {

inline constexpr int kVerySatisfiedPoints = 10;   // 非常满意
inline constexpr int kFairlySatisfiedPoints = 8;  // 比较满意
inline constexpr int kAveragePoints = 5;          // 一般
inline constexpr int kUnsatisfiedPoints = 0;      // 不满意

}  // namespace zhigai::core
