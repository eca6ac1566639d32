// The Attachment 3 score sheet of one institution for evaluation year Y (RULES.md R11.1,
// S1.1–S3): every item with the numbers it used, the formula or band applied in English and
// Chinese, and its exact points, so the institution can redo each point by hand.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/evaluation/domain/rational.h"
#include "services/evaluation/domain/score_rules.h"

namespace zhigai::evaluation {

// Why an institution is scored but left out of the S4 ranking of year Y.
enum class Exclusion {
  kNone,
  kBarred,     // R14.5: barred for three years after verified serious complaints
  kCancelled,  // R14.4: eligibility cancelled for the year after established plagiarism
};

struct ExclusionText {
  absl::string_view reason;  // stable UPPER_SNAKE: "", "BARRED", "CANCELLED"
  absl::string_view rule;    // "", "R14.5", "R14.4"
  absl::string_view english;
  absl::string_view chinese;
};
const ExclusionText& DescribeExclusion(Exclusion exclusion);
// The inverse of DescribeExclusion(e).reason: "" , "BARRED", "CANCELLED"; nullopt otherwise.
std::optional<Exclusion> ParseExclusion(absl::string_view reason);

// One bureau test of year Y (S1.3). Both values in hundredths of a point so that fractional
// marks stay exact (85.5 of 100 → {8550, 10000}).
struct TestResult {
  int64_t score_hundredths = 0;
  int64_t full_marks_hundredths = 0;
  // R8.1 (2026-12): absent without an accepted excuse, or expected and without a result when
  // the session closed. Scores 0; the sheet says why instead of a bare 0.00.
  bool unexcused_absence = false;
  bool no_result_at_close = false;  // which of the two: the sheet names it
  std::string session = {};         // not scored: "testSessions/3", for the sheet's sources
};

// How many enterprises gave each overall rating for the institution's Y−1 engagements (S2).
struct RatingCounts {
  int64_t very_satisfied = 0;    // 非常满意, 10
  int64_t fairly_satisfied = 0;  // 比较满意, 8
  int64_t average = 0;           // 一般, 5
  int64_t unsatisfied = 0;       // 不满意, 0
};

// Everything the evaluation of year Y knows about one institution (the frozen snapshot).
struct InstitutionInput {
  std::string credit_code;
  std::string name;
  // S1.1: projects declared on the policy platform in Y−1 and approved by city and county.
  int64_t approved_diagnosis = 0;
  int64_t approved_solution_design = 0;
  // S1.2: all projects declared in Y−1 and how many of them were approved.
  int64_t declared_projects = 0;
  int64_t approved_projects = 0;
  // S1.3: the bureau's tests of year Y; empty when none was taken.
  std::vector<TestResult> tests;
  // S2.1 service content and S2.2 service results, ratings received for Y−1 engagements.
  RatingCounts content_ratings;
  RatingCounts result_ratings;
  // S3: each panel member's defence score out of 100, in hundredths (85.5 → 8550).
  std::vector<int64_t> defence_scores_hundredths;
  // S4 last tie-break: complaints against the institution verified in Y−1.
  int64_t verified_complaints = 0;
  Exclusion exclusion = Exclusion::kNone;
  // Not scored: where the S1.1/S1.2 figures came from, carried to the sheet for checking.
  std::string project_source;
  // Not scored: the sanction behind `exclusion` ("sanctions/17").
  std::string exclusion_sanction;
};

// Positions of the items in ScoreSheet::items, in the order of Attachment 3.
enum ItemIndex : std::size_t { kS1_1, kS1_2, kS1_3, kS2_1, kS2_2, kS3, kItemCount };

struct ScoreItem {
  absl::string_view id;  // "S1.1" … "S3"
  absl::string_view title_english;
  absl::string_view title_chinese;  // as in Attachment 3, e.g. "成功服务项目数量"
  int64_t max_points = 0;
  std::string inputs;           // the numbers used, e.g. "diagnosis=3; solution_design=5"
  std::string applied_english;  // the formula or band with those numbers filled in
  std::string applied_chinese;
  Rational points;  // exact, unrounded
};

struct ScoreSheet {
  std::string credit_code;
  std::string name;
  std::array<ScoreItem, kItemCount> items;
  Rational s1;     // S1.1 + S1.2 + S1.3, out of 50
  Rational s2;     // S2.1 + S2.2, out of 20
  Rational s3;     // out of 30
  Rational total;  // s1 + s2 + s3 from the unrounded items, out of 100
  int64_t verified_complaints = 0;
  Exclusion exclusion = Exclusion::kNone;
  std::string project_source;              // InstitutionInput::project_source
  std::string exclusion_sanction;          // InstitutionInput::exclusion_sanction
  std::vector<std::string> test_sessions;  // the tests' sessions, in input order
};

// Scores one institution under `rules` (the version its round records). INVALID_ARGUMENT listing
// every bad field (negative counts, approved above declared, a test score above its full marks, a
// defence score outside 0–100, …); OUT_OF_RANGE (SCORE_NOT_REPRESENTABLE) if the exact value would
// not fit in 64-bit terms, which needs absurd inputs. Pure: the same input gives the same sheet.
absl::StatusOr<ScoreSheet> ComputeScoreSheet(const InstitutionInput& input,
                                             const ScoreRules& rules);

// Scores a round's institutions, in input order. Also refuses a credit code given twice.
absl::StatusOr<std::vector<ScoreSheet>> ComputeScoreSheets(
    absl::Span<const InstitutionInput> inputs, const ScoreRules& rules);

}  // namespace zhigai::evaluation
