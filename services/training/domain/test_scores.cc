#include "services/training/domain/test_scores.h"

#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::training {
namespace {

struct Tally {
  double scaled_sum = 0;
  InstitutionTestScore score;
};

}  // namespace

absl::StatusOr<std::vector<InstitutionTestScore>> ScaleTestScores(
    int year, const std::vector<TestSession>& sessions, const std::vector<TestResult>& results,
    const std::vector<std::string>& institutions) {
  Violations violations;
  std::map<std::string, const TestSession*> by_id;
  for (size_t i = 0; i < sessions.size(); ++i) {
    const TestSession& s = sessions[i];
    if (!by_id.emplace(s.id, &s).second) {
      violations.Add(absl::StrCat("sessions[", i, "].id"), "R8.1",
                     absl::StrCat("session id ", s.id, " appears twice"));
    }
    if (!(s.full_marks > 0) || !std::isfinite(s.full_marks)) {
      violations.Add(absl::StrCat("sessions[", i, "].full_marks"), "S1.3",
                     "full marks must be a positive number");
    }
  }

  std::map<std::string, Tally> tallies;
  for (const std::string& code : institutions) tallies[code].score.institution_credit_code = code;

  std::set<std::pair<std::string, std::string>> seen;  // (session, institution)
  for (size_t i = 0; i < results.size(); ++i) {
    const TestResult& r = results[i];
    const std::string at = absl::StrCat("results[", i, "]");
    auto session = by_id.find(r.session_id);
    if (session == by_id.end()) {
      violations.Add(absl::StrCat(at, ".session_id"), "R8.1",
                     absl::StrCat("unknown test session ", r.session_id));
      continue;
    }
    if (!seen.emplace(r.session_id, r.institution_credit_code).second) {
      violations.Add(absl::StrCat(at, ".institution_credit_code"), "R8.1",
                     absl::StrCat("institution ", r.institution_credit_code,
                                  " has two results for session ", r.session_id));
      continue;
    }
    const double full = session->second->full_marks;
    if (r.attendance == TestAttendance::kTaken &&
        (!(r.score >= 0) || r.score > full || !std::isfinite(r.score))) {
      violations.Add(absl::StrCat(at, ".score"), "S1.3",
                     absl::StrCat("score must be between 0 and the full marks ", full));
      continue;
    }
    if (session->second->year != year) continue;
    auto tally = tallies.find(r.institution_credit_code);
    if (tally == tallies.end()) continue;  // not an institution the caller asked about

    InstitutionTestScore& s = tally->second.score;
    switch (r.attendance) {
      case TestAttendance::kTaken:
        tally->second.scaled_sum += r.score / full * kTestMaxPoints;
        ++s.tests_counted;
        break;
      case TestAttendance::kAbsentExcused:
        ++s.tests_excused;
        break;
      case TestAttendance::kAbsentUnexcused:
        ++s.tests_unexcused;
        ++s.tests_counted;
        break;
      case TestAttendance::kAbsentExcusePending:
        ++s.excuses_pending;
        ++s.tests_counted;
        break;
    }
  }
  if (absl::Status status = violations.Finish("测评记录有误"); !status.ok()) return status;

  std::vector<InstitutionTestScore> out;
  out.reserve(institutions.size());
  for (const std::string& code : institutions) {
    Tally& tally = tallies[code];
    // S1.3 Decision: no test taken -> 0; otherwise the mean of the scaled scores.
    tally.score.scaled_score =
        tally.score.tests_counted == 0 ? 0 : tally.scaled_sum / tally.score.tests_counted;
    out.push_back(tally.score);
  }
  return out;
}

}  // namespace zhigai::training
