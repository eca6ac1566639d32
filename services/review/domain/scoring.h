// R7.1 expert scores. All arithmetic is exact integer arithmetic:
// - a criterion score is in hundredths of a point (8550 = 85.50), 0..full marks;
// - an expert's weighted score for an application (one direction) is
//   sum(score_hundredths_i * weight_hundredths_i), i.e. ten-thousandths of a point of
//   sum(score_i * weight_i) — weights are NOT normalised, the call picks them;
// - the application's score is the mean of its experts' weighted scores, dropping the single
//   highest and single lowest when 5 or more experts scored (Decision R7.1). The mean is kept
//   as a fraction (sum / experts counted) and compared by cross-multiplication.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/review/domain/call.h"

namespace zhigai::review {

// Decision (R7.1): from this many experts on, the highest and lowest are dropped.
inline constexpr int kTrimFromExperts = 5;

struct CriterionScore {
  std::string criterion;  // Criterion::name
  int64_t score_hundredths = 0;
};

struct ExpertScoreSheet {
  std::string expert_id;
  std::vector<CriterionScore> scores;
};

// INVALID_ARGUMENT (fields "scores[i].criterion" / "scores[i].score_hundredths" / "scores")
// unless every criterion of the call is scored exactly once within 0..full marks.
absl::Status ValidateScores(const Call& call, const std::vector<CriterionScore>& scores);

// The expert's weighted score in ten-thousandths of a point (after ValidateScores).
absl::StatusOr<int64_t> WeightedScore(const Call& call, const std::vector<CriterionScore>& scores);

struct ApplicationScore {
  int64_t sum_ten_thousandths = 0;  // over the experts counted
  int experts_counted = 0;
  int experts_scored = 0;

  // Display only: the score in hundredths of a point, rounded half up.
  int64_t RoundedHundredths() const;
};

// The score of one application in one direction from its experts' sheets.
// INVALID_ARGUMENT for a bad sheet or an expert scoring twice; FAILED_PRECONDITION
// (NO_EXPERT_SCORES) when no sheet is given.
absl::StatusOr<ApplicationScore> ComputeApplicationScore(
    const Call& call, const std::vector<ExpertScoreSheet>& sheets);

// Exact three-way comparison of the two means: <0, 0, >0.
int CompareScores(const ApplicationScore& a, const ApplicationScore& b);

// Whether the score is at least `cut_off_hundredths` (exact).
bool MeetsCutOff(const ApplicationScore& score, int64_t cut_off_hundredths);

}  // namespace zhigai::review
