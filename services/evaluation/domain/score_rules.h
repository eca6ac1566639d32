// The parameters of Attachment 3 and S4 that a revision of the measures is likely to change,
// as versioned data (issue 26): data/score-rules.tsv holds every version with its effective
// date, is loaded and checked when the service starts, and each round records the version it
// is scored under, so replaying an earlier round never picks up a later revision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::evaluation {

// A banded item (S1.2 pass rate, S3 defence): values on a 0–100 scale up to each bound get
// its points; above the last bound, `top_points`.
struct Band {
  int64_t points = 0;
  std::string english;  // the inequality, e.g. "60% < rate ≤ 70%"
  std::string chinese;  // the same in Chinese, e.g. "60%<合格率≤70%"
};

struct BandTable {
  struct Bounded {
    int64_t bound = 0;       // on the 0–100 scale
    bool inclusive = false;  // "≤ bound" (true) or "< bound"
    Band band;
  };
  std::vector<Bounded> bands;
  Band top;
};

// S4's tie-breakers after the total, each compared as published (RULES.md S4 2026-12).
enum class TieBreaker {
  kS1,          // the higher S1
  kS3,          // the higher S3
  kS2,          // the higher S2
  kComplaints,  // fewer complaints verified in Y−1
};

struct ScoreRules {
  int version = 0;
  // Applies to the evaluation rounds of the years from this day's year on (the version in
  // force on 1 January of the round's year Y).
  absl::CivilDay effective_from;
  std::string source;  // where the version comes from ("温州市…管理办法 附件3")
  // S1.1: points per approved project of each kind, and the cap (also the item's maximum).
  int64_t diagnosis_points = 0;
  int64_t solution_design_points = 0;
  int64_t s1_1_cap = 0;
  int64_t s1_2_max = 0;
  BandTable pass_rate;   // S1.2, on approved ÷ declared × 100
  int64_t s1_3_max = 0;  // S1.3: the mean test score scaled to this many points
  int64_t s2_max = 0;    // S2.1 and S2.2 each
  // S2: points per rating: very satisfied, fairly satisfied, average, unsatisfied.
  int64_t very_satisfied_points = 0;
  int64_t fairly_satisfied_points = 0;
  int64_t average_points = 0;
  int64_t unsatisfied_points = 0;
  int64_t s3_max = 0;
  BandTable defence;             // S3, on the panel's mean score
  int64_t excellent_places = 0;  // R10.1: the first N places are excellent
  // S4: what separates equal totals, in order ("S1 S3 S2 COMPLAINTS" in version 1): each of
  // the four exactly once.
  std::vector<TieBreaker> tie_break;
};

// Every version in `content` (the text of data/score-rules.tsv; `source` names it in errors),
// in version order. FAILED_PRECONDITION REFERENCE_DATA_INVALID naming the file and line for a
// parameter unknown, missing, given twice or out of range, bands out of order, maxima that do
// not add up to 100 (R11.1), versions not numbered 1, 2, … or effective dates not increasing.
absl::StatusOr<std::vector<ScoreRules>> ParseScoreRules(absl::string_view content,
                                                        absl::string_view source);
absl::StatusOr<std::vector<ScoreRules>> LoadScoreRules(absl::string_view path);

// The version in force on 1 January of `year`; NOT_FOUND (RULES_NOT_IN_FORCE) when the first
// version starts later.
absl::StatusOr<const ScoreRules*> RulesForYear(const std::vector<ScoreRules>& versions, int year);
// The version numbered `version`; NOT_FOUND when the file has no such version (a round
// recorded under a version since removed from the file).
absl::StatusOr<const ScoreRules*> RulesVersion(const std::vector<ScoreRules>& versions,
                                               int version);

}  // namespace zhigai::evaluation
