// R8.1 / S1.3: the bureau's tests of institutions, scaled to 10 points for the annual
// evaluation. Attendance is required; an absence needs an accepted excuse.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zhigai::training {

struct TestSession {
  std::string id;
  int year = 0;
  double full_marks = 100;
};

enum class TestAttendance {
  kTaken,                // sat the test; `score` holds the marks
  kAbsentExcused,        // excuse accepted: the test is left out
  kAbsentUnexcused,      // R8.1 Decision: scores 0 for that test
  kAbsentExcusePending,  // excuse not yet decided: scores 0 until accepted (see below)
};

struct TestResult {
  std::string session_id;
  std::string institution_credit_code;
  TestAttendance attendance = TestAttendance::kTaken;
  double score = 0;  // marks, 0..full_marks; read only when kTaken
};

inline constexpr double kTestMaxPoints = 10;  // S1.3

struct InstitutionTestScore {
  std::string institution_credit_code;
  // S1.3: mean over the counted tests of score / full_marks * 10, UNROUNDED; the evaluation
  // rounds to two decimals only at the end (S4: totals from unrounded items).
  double scaled_score = 0;
  int tests_counted = 0;    // taken + unexcused + excuse pending
  int tests_excused = 0;    // left out
  int tests_unexcused = 0;  // counted as 0
  int excuses_pending = 0;  // counted as 0; the score is provisional while this is > 0
};

// One entry per institution in `institutions`, in that order. Only sessions of `year` count;
// a session of that year with no result row for an institution is left out (absences are
// recorded explicitly as results). No counted test -> 0 (S1.3 Decision).
// A pending excuse counts as an unexcused absence (R8.1: an absence needs an *accepted*
// excuse) and is reported in `excuses_pending`, so the evaluation can wait for the decision
// before it freezes its snapshot.
// INVALID_ARGUMENT for a duplicate session id, full_marks <= 0, a result naming an unknown
// session, a score outside 0..full_marks, or two results for one session and institution.
absl::StatusOr<std::vector<InstitutionTestScore>> ScaleTestScores(
    int year, const std::vector<TestSession>& sessions, const std::vector<TestResult>& results,
    const std::vector<std::string>& institutions);

}  // namespace zhigai::training
