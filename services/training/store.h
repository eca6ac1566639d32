// All SQL of the training service. Each write runs in one transaction with its audit row (and
// its idempotency key where the call has one): a failed call writes nothing. Events, test
// sessions and meetings keep their whole message as bytea (one row per read) with the columns
// the queries filter on beside it.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"
#include "libs/db/stored.h"
#include "zhigai/training/v1/training.pb.h"

namespace zhigai::training {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

struct EventFilter {
  int year = 0;  // 0 = any
  std::string institution_credit_code;
  std::string division_code;
  std::string state;  // EventState name, empty = any
};

struct Rating {
  std::string ballot_id;
  bool satisfied = false;
};

class TrainingStore {
 public:
  TrainingStore(db::Pool& pool, Clock clock) : pool_(pool), clock_(std::move(clock)) {}

  // The work-day calendar lives in a file, not here; a reload still changes every filing
  // deadline computed after it, so it leaves an audit row naming the file and its years.
  absl::Status RecordCalendarReload(const Change& change, const std::string& path, int years);

  // Events. The stored event never carries last_filing_day (the calendar computes it on read).
  absl::StatusOr<v1::Event> CreateEvent(const Change& change, const std::string& idempotency_key,
                                        v1::Event event);
  absl::StatusOr<v1::Event> GetEvent(int64_t id);
  // Locks the event, checks `expected_version` (0 = no check), lets `edit` refuse or change it,
  // then writes the next version with its audit row.
  using EventEdit = std::function<absl::Status(v1::Event&)>;
  absl::StatusOr<v1::Event> EditEvent(const Change& change, int64_t id, int64_t expected_version,
                                      const EventEdit& edit);
  // Upserts ratings by ballot id (a repeat changes nothing) and stores the new counts; `check`
  // sees the locked event first and may refuse.
  absl::StatusOr<v1::Event> RecordRatings(
      const Change& change, int64_t id, const std::vector<Rating>& ratings,
      const std::function<absl::Status(const v1::Event&)>& check);
  absl::StatusOr<std::vector<v1::Event>> ListEvents(const EventFilter& filter, int64_t after_id,
                                                    int limit);
  // Every event of `year` (by event date) of the given institutions, by date then id.
  absl::StatusOr<std::vector<v1::Event>> EventsOfInstitutions(
      int year, const std::vector<std::string>& codes);

  // Year policies (R13.0). A year never set reads as version 0, no subsidy.
  absl::StatusOr<v1::YearPolicy> GetPolicy(int year);
  absl::StatusOr<v1::YearPolicy> SetPolicy(const Change& change, int year, bool has_subsidy,
                                           int64_t expected_version);

  // Tests (R8.1).
  absl::StatusOr<v1::TestSession> CreateTestSession(const Change& change,
                                                    const std::string& idempotency_key,
                                                    v1::TestSession session);
  absl::StatusOr<v1::TestSession> GetTestSession(int64_t id);
  // Inserts or overwrites the result of (session, institution); the decision note is cleared.
  absl::StatusOr<v1::TestResult> PutTestResult(const Change& change, int64_t session_id,
                                               const v1::TestResult& result);
  // Locks one result, lets `edit` refuse or change it, writes the next version.
  absl::StatusOr<v1::TestResult> EditTestResult(
      const Change& change, int64_t session_id, const std::string& credit_code,
      const std::function<absl::Status(v1::TestResult&)>& edit);
  // R8.1 Decision (2026-12). Locks the session; an open one passes `check`, then every expected
  // institution without a result is written ABSENT_UNEXCUSED (no_result_at_close) and the
  // session closed, in one transaction. A closed session comes back unchanged.
  struct ClosedSession {
    v1::TestSession session;
    bool changed = false;
    std::vector<std::string> absent_at_close;
  };
  absl::StatusOr<ClosedSession> CloseTestSession(
      const Change& change, int64_t id,
      const std::function<absl::Status(const v1::TestSession&)>& check);
  // Sessions by id (creation order); year 0 = every year.
  absl::StatusOr<std::vector<v1::TestSession>> ListTestSessions(int year, int64_t after_id,
                                                                int limit);
  // One session's results by credit code; credit_code empty = all.
  absl::StatusOr<std::vector<v1::TestResult>> ListTestResults(int64_t session_id,
                                                              const std::string& credit_code,
                                                              const std::string& after_code,
                                                              int limit);
  struct YearTests {
    std::vector<v1::TestSession> sessions;  // by date, id
    std::vector<v1::TestResult> results;    // of the requested institutions
  };
  absl::StatusOr<YearTests> TestsOfYear(int year, const std::vector<std::string>& codes);

  // Exchange meetings (R9.1).
  absl::StatusOr<v1::Meeting> CreateMeeting(const Change& change,
                                            const std::string& idempotency_key,
                                            v1::Meeting meeting);
  absl::StatusOr<v1::Meeting> GetMeeting(int64_t id);
  absl::StatusOr<std::vector<v1::Meeting>> MeetingsBetween(int first_year, int last_year);
  absl::StatusOr<v1::Problem> SubmitProblem(const Change& change,
                                            const std::string& idempotency_key, int64_t meeting_id,
                                            const std::string& credit_code,
                                            const std::string& text);
  absl::StatusOr<v1::Problem> GetProblem(int64_t meeting_id, int64_t problem_id);
  absl::StatusOr<v1::Problem> AnswerProblem(const Change& change, int64_t meeting_id,
                                            int64_t problem_id, int64_t expected_version,
                                            const std::string& answer);
  // credit_code empty = every institution's problems.
  absl::StatusOr<std::vector<v1::Problem>> ListProblems(int64_t meeting_id,
                                                        const std::string& credit_code,
                                                        int64_t after_id, int limit);

 private:
  std::string Now() const;
  db::Pool& pool_;
  Clock clock_;
};

}  // namespace zhigai::training
