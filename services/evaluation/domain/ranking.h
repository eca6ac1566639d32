// S4: the ranking of a round's score sheets and the excellent institutions (R10.1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/evaluation/domain/rational.h"
#include "services/evaluation/domain/score_sheet.h"

namespace zhigai::evaluation {

// What separated an institution from the one listed just above it.
enum class DecidedBy {
  kFirst,       // listed first
  kTotal,       // a lower total
  kS1,          // same total, lower S1
  kS3,          // same total and S1, lower S3
  kS2,          // same total, S1 and S3, lower S2
  kComplaints,  // all scores equal, more verified complaints in Y−1
  kSharedRank,  // equal on every criterion: shares the rank of the one above
};
absl::string_view DecidedByName(DecidedBy decided_by);  // "TOTAL", "S1", …, "SHARED_RANK"

struct RankedInstitution {
  std::string credit_code;
  std::string name;
  int64_t rank = 0;  // competition ranking: 1, 2, 2, 4
  bool excellent = false;
  DecidedBy decided_by = DecidedBy::kFirst;
  Rational total;
  Rational s1;
  Rational s2;
  Rational s3;
  int64_t verified_complaints = 0;
};

struct UnrankedInstitution {
  std::string credit_code;
  std::string name;
  Exclusion exclusion = Exclusion::kBarred;
};

struct Ranking {
  std::vector<RankedInstitution> ranked;        // best first; a shared rank lists by credit code
  std::vector<UnrankedInstitution> not_ranked;  // barred or cancelled, by credit code
};

// Orders by total, then by the tie-breakers of `rules` in their order (version 1: S1, S3, S2,
// descending, each as published: the exact value rounded to two decimals, RULES.md S4 2026-12;
// then fewer verified complaints); institutions equal on all of these share a rank. Every
// institution ranked `rules.excellent_places`th or better is excellent (R10.1: 10 in version
// 1), so a tie straddling that place names all of its members. O(n log n).
// INVALID_ARGUMENT if a credit code appears twice.
absl::StatusOr<Ranking> RankInstitutions(absl::Span<const ScoreSheet> sheets,
                                         const ScoreRules& rules);

}  // namespace zhigai::evaluation
