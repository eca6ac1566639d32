#include "services/review/domain/direction.h"

namespace zhigai::review {

absl::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kConsulting:
      return "CONSULTING";
    case Direction::kTraining:
      return "TRAINING";
  }
  return "UNKNOWN";
}

absl::string_view DirectionChinese(Direction direction) {
  switch (direction) {
    case Direction::kConsulting:
      return "诊断咨询";
    case Direction::kTraining:
      return "培训推广";
  }
  return "未知方向";
}

}  // namespace zhigai::review
