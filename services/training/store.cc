#include "services/training/store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"

namespace zhigai::training {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// Events ---------------------------------------------------------------------------------
#define EVENT_COLUMNS "id, body, version, " TS("created_at") ", " TS("updated_at")
constexpr Statement kInsertEvent{
    "training.insert_event",
    "INSERT INTO events (institution_credit_code, division_code, event_date, state, body,"
    " version, created_at, updated_at) VALUES ($1, $2, $3::date, $4, $5, 1, $6::timestamptz,"
    " $6::timestamptz) RETURNING " EVENT_COLUMNS};
constexpr Statement kGetEvent{"training.get_event",
                              "SELECT " EVENT_COLUMNS " FROM events WHERE id = $1"};
constexpr Statement kLockEvent{"training.lock_event",
                               "SELECT " EVENT_COLUMNS " FROM events WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpdateEvent{
    "training.update_event",
    "UPDATE events SET division_code = $2, event_date = $3::date, state = $4, body = $5,"
    " version = version + 1, updated_at = $6::timestamptz WHERE id = $1 RETURNING " EVENT_COLUMNS};
constexpr Statement kListEvents{
    "training.list_events",
    "SELECT " EVENT_COLUMNS
    " FROM events WHERE id > $1"
    " AND ($2 = 0 OR event_date BETWEEN make_date($2, 1, 1) AND make_date($2, 12, 31))"
    " AND ($3 = '' OR institution_credit_code = $3) AND ($4 = '' OR division_code = $4)"
    " AND ($5 = '' OR state = $5) ORDER BY id LIMIT $6"};
constexpr Statement kEventsOfInstitutions{
    "training.events_of_institutions",
    "SELECT " EVENT_COLUMNS
    " FROM events WHERE institution_credit_code = ANY ($1::text[])"
    " AND event_date BETWEEN make_date($2, 1, 1) AND make_date($2, 12, 31)"
    " ORDER BY event_date, id",
    5000};
constexpr Statement kUpsertRatings{
    "training.upsert_ratings",
    "INSERT INTO event_ratings (event_id, ballot_id, satisfied)"
    " SELECT $1, b, s FROM unnest($2::text[], $3::boolean[]) AS u (b, s)"
    " ON CONFLICT (event_id, ballot_id) DO UPDATE SET satisfied = EXCLUDED.satisfied"};
constexpr Statement kCountRatings{
    "training.count_ratings",
    "SELECT count(*) FILTER (WHERE satisfied), count(*) FROM event_ratings WHERE event_id = $1"};

// Year policies ----------------------------------------------------------------------------
constexpr Statement kGetPolicy{"training.get_policy",
                               "SELECT has_training_subsidy, version, " TS(
                                   "updated_at") " FROM year_policies WHERE year = $1"};
constexpr Statement kInsertPolicy{
    "training.insert_policy",
    "INSERT INTO year_policies (year, has_training_subsidy, version, updated_at)"
    " VALUES ($1, $2, 1, $3::timestamptz) ON CONFLICT (year) DO NOTHING"
    " RETURNING has_training_subsidy, version, " TS("updated_at")};
constexpr Statement kUpdatePolicy{
    "training.update_policy",
    "UPDATE year_policies SET has_training_subsidy = $2, version = version + 1,"
    " updated_at = $4::timestamptz WHERE year = $1 AND version = $3"
    " RETURNING has_training_subsidy, version, " TS("updated_at")};

// Tests ------------------------------------------------------------------------------------
#define SESSION_COLUMNS "id, body, " TS("created_at") ", coalesce(" TS("closed_at") ", '')"
constexpr Statement kInsertSession{
    "training.insert_session",
    "INSERT INTO test_sessions (session_date, year, body, created_at)"
    " VALUES ($1::date, $2, $3, $4::timestamptz) RETURNING " SESSION_COLUMNS};
constexpr Statement kGetSession{"training.get_session",
                                "SELECT " SESSION_COLUMNS " FROM test_sessions WHERE id = $1"};
constexpr Statement kLockSession{"training.lock_session",
                                 "SELECT " SESSION_COLUMNS
                                 " FROM test_sessions WHERE id = $1 FOR UPDATE"};
// Results wait for a close in progress and are refused once it has committed (R8.1).
constexpr Statement kSessionClosed{
    "training.session_closed",
    "SELECT closed_at IS NOT NULL FROM test_sessions WHERE id = $1 FOR SHARE"};
constexpr Statement kCloseSession{"training.close_session",
                                  "UPDATE test_sessions SET closed_at = $2::timestamptz WHERE id = "
                                  "$1 RETURNING " SESSION_COLUMNS};
constexpr Statement kListSessions{
    "training.list_sessions",
    "SELECT " SESSION_COLUMNS
    " FROM test_sessions WHERE id > $1 AND ($2 = 0 OR year = $2) ORDER BY id LIMIT $3"};
constexpr Statement kSessionsOfYear{
    "training.sessions_of_year",
    "SELECT " SESSION_COLUMNS " FROM test_sessions WHERE year = $1 ORDER BY session_date, id"};
#define RESULT_COLUMNS                                                                      \
  "session_id, credit_code, status, score_hundredths, excuse, decision_note, version, " TS( \
      "updated_at") ", no_result_at_close"
constexpr Statement kUpsertResult{
    "training.upsert_result",
    "INSERT INTO test_results (session_id, credit_code, status, score_hundredths, excuse,"
    " decision_note, version, updated_at) VALUES ($1, $2, $3, $4, $5, '', 1, $6::timestamptz)"
    " ON CONFLICT (session_id, credit_code) DO UPDATE SET status = EXCLUDED.status,"
    " score_hundredths = EXCLUDED.score_hundredths, excuse = EXCLUDED.excuse,"
    " decision_note = '', version = test_results.version + 1,"
    " updated_at = EXCLUDED.updated_at RETURNING " RESULT_COLUMNS};
constexpr Statement kLockResult{
    "training.lock_result",
    "SELECT " RESULT_COLUMNS
    " FROM test_results WHERE session_id = $1 AND credit_code = $2 FOR UPDATE"};
constexpr Statement kUpdateResult{
    "training.update_result",
    "UPDATE test_results SET status = $3, score_hundredths = $4, excuse = $5,"
    " decision_note = $6, version = version + 1, updated_at = $7::timestamptz"
    " WHERE session_id = $1 AND credit_code = $2 RETURNING " RESULT_COLUMNS};
constexpr Statement kSessionResultCodes{
    "training.session_result_codes", "SELECT credit_code FROM test_results WHERE session_id = $1"};
constexpr Statement kInsertAbsentAtClose{
    "training.insert_absent_at_close",
    "INSERT INTO test_results (session_id, credit_code, status, score_hundredths, excuse,"
    " decision_note, version, updated_at, no_result_at_close)"
    " SELECT $1, c, 'ABSENT_UNEXCUSED', 0, '', '', 1, $3::timestamptz, true"
    " FROM unnest($2::text[]) AS c"};
constexpr Statement kListResults{
    "training.list_results", "SELECT " RESULT_COLUMNS
                             " FROM test_results WHERE session_id = $1 AND credit_code > $2"
                             " AND ($3 = '' OR credit_code = $3) ORDER BY credit_code LIMIT $4"};
constexpr Statement kResultsOfYear{
    "training.results_of_year",
    "SELECT " RESULT_COLUMNS
    " FROM test_results r WHERE r.credit_code = ANY ($2::text[])"
    " AND r.session_id IN (SELECT id FROM test_sessions WHERE year = $1)"
    " ORDER BY r.credit_code, r.session_id",
    5000};

// Meetings ---------------------------------------------------------------------------------
#define MEETING_COLUMNS "id, body, " TS("created_at")
constexpr Statement kInsertMeeting{
    "training.insert_meeting",
    "INSERT INTO meetings (meeting_date, year, organiser, body, created_at)"
    " VALUES ($1::date, $2, $3, $4, $5::timestamptz) RETURNING " MEETING_COLUMNS};
constexpr Statement kGetMeeting{"training.get_meeting",
                                "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = $1"};
constexpr Statement kMeetingsBetween{"training.meetings_between",
                                     "SELECT " MEETING_COLUMNS
                                     " FROM meetings WHERE year BETWEEN $1 AND $2 ORDER BY id"};
#define PROBLEM_COLUMNS                                      \
  "id, meeting_id, credit_code, text, answer, answered_by, " \
  "coalesce(" TS("answered_at") ", ''), version, " TS("created_at")
constexpr Statement kInsertProblem{
    "training.insert_problem",
    "INSERT INTO problems (meeting_id, credit_code, text, version, created_at)"
    " VALUES ($1, $2, $3, 1, $4::timestamptz) RETURNING " PROBLEM_COLUMNS};
constexpr Statement kGetProblem{"training.get_problem",
                                "SELECT " PROBLEM_COLUMNS
                                " FROM problems WHERE meeting_id = $1 AND id = $2"};
constexpr Statement kAnswerProblem{
    "training.answer_problem",
    "UPDATE problems SET answer = $4, answered_by = $5, answered_at = $6::timestamptz,"
    " version = version + 1 WHERE meeting_id = $1 AND id = $2 AND version = $3"
    " RETURNING " PROBLEM_COLUMNS};
constexpr Statement kListProblems{
    "training.list_problems",
    "SELECT " PROBLEM_COLUMNS
    " FROM problems WHERE meeting_id = $1"
    " AND ($2 = '' OR credit_code = $2) AND id > $3 ORDER BY id LIMIT $4"};

// The stored body without what the row's columns hold.
std::string EventBody(v1::Event e) {
  e.clear_name();
  e.clear_version();
  e.clear_create_time();
  e.clear_update_time();
  e.clear_last_filing_day();
  return e.SerializeAsString();
}

absl::StatusOr<v1::Event> RowToEvent(const db::Result& r, int i) {
  auto e = db::ParseStored<v1::Event>(r.Text(i, 1));
  if (!e.ok()) return e.status();
  e->set_name(absl::StrCat("events/", r.Int64(i, 0)));
  e->set_version(r.Int64(i, 2));
  if (auto ts = wire::TimestampFromText(r.String(i, 3))) *e->mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 4))) *e->mutable_update_time() = *ts;
  return e;
}

absl::StatusOr<std::vector<v1::Event>> RowsToEvents(const db::Result& r) {
  std::vector<v1::Event> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(auto e, RowToEvent(r, i));
    out.push_back(std::move(e));
  }
  return out;
}

v1::YearPolicy RowToPolicy(int year, const db::Result& r) {
  v1::YearPolicy p;
  p.set_year(year);
  p.set_has_training_subsidy(r.Bool(0, 0));
  p.set_version(r.Int64(0, 1));
  if (auto ts = wire::TimestampFromText(r.String(0, 2))) *p.mutable_update_time() = *ts;
  return p;
}

absl::StatusOr<v1::TestSession> RowToSession(const db::Result& r, int i) {
  auto s = db::ParseStored<v1::TestSession>(r.Text(i, 1));
  if (!s.ok()) return s.status();
  s->set_name(absl::StrCat("testSessions/", r.Int64(i, 0)));
  if (auto ts = wire::TimestampFromText(r.String(i, 2))) *s->mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 3))) *s->mutable_close_time() = *ts;
  s->set_state(!s->has_close_time() ? v1::TEST_SESSION_OPEN : v1::TEST_SESSION_CLOSED);
  return s;
}

absl::StatusOr<v1::TestResult> RowToResult(const db::Result& r, int i) {
  v1::TestResult t;
  t.set_session(absl::StrCat("testSessions/", r.Int64(i, 0)));
  t.set_credit_code(r.String(i, 1));
  ASSIGN_OR_RETURN(v1::TestResultStatus status,
                   db::EnumColumn<v1::TestResultStatus>(r, i, 2, "test_results.status"));
  t.set_status(status);
  t.set_score_hundredths(r.Int64(i, 3));
  t.set_excuse(r.String(i, 4));
  t.set_decision_note(r.String(i, 5));
  t.set_version(r.Int64(i, 6));
  if (auto ts = wire::TimestampFromText(r.String(i, 7))) *t.mutable_update_time() = *ts;
  t.set_no_result_at_close(r.Bool(i, 8));
  return t;
}

absl::StatusOr<v1::Meeting> RowToMeeting(const db::Result& r, int i) {
  auto m = db::ParseStored<v1::Meeting>(r.Text(i, 1));
  if (!m.ok()) return m.status();
  m->set_name(absl::StrCat("meetings/", r.Int64(i, 0)));
  if (auto ts = wire::TimestampFromText(r.String(i, 2))) *m->mutable_create_time() = *ts;
  return m;
}

v1::Problem RowToProblem(const db::Result& r, int i) {
  v1::Problem p;
  p.set_name(absl::StrCat("meetings/", r.Int64(i, 1), "/problems/", r.Int64(i, 0)));
  p.set_credit_code(r.String(i, 2));
  p.set_text(r.String(i, 3));
  p.set_answer(r.String(i, 4));
  p.set_answered_by(r.String(i, 5));
  if (auto ts = wire::TimestampFromText(r.String(i, 6))) *p.mutable_answer_time() = *ts;
  p.set_version(r.Int64(i, 7));
  if (auto ts = wire::TimestampFromText(r.String(i, 8))) *p.mutable_create_time() = *ts;
  return p;
}

absl::Status RequireOpenSession(Connection& c, int64_t session_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kSessionClosed, {session_id}));
  if (r.rows() == 0) {
    return db::NotFound("test session", absl::StrCat("testSessions/", session_id));
  }
  if (r.Bool(0, 0)) {
    return RuleViolation(
        "SESSION_CLOSED", "R8.1",
        absl::StrCat("testSessions/", session_id, " is closed: its results are final"),
        "测评场次已关闭，成绩不能再更改");
  }
  return absl::OkStatus();
}

}  // namespace

std::string TrainingStore::Now() const { return core::FormatTimestamp(clock_()); }

// Events -----------------------------------------------------------------------------------

absl::StatusOr<v1::Event> TrainingStore::CreateEvent(const Change& change, const std::string& key,
                                                     v1::Event in) {
  v1::Event out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(
        auto r, c.Exec(kInsertEvent,
                       {in.institution_credit_code(), in.division_code(), wire::DateText(in.date()),
                        v1::EventState_Name(in.state()), Param::Bytes(EventBody(in)), Now()}));
    ASSIGN_OR_RETURN(out, RowToEvent(r, 0));
    return db::Audit(c, change, "event", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Event> TrainingStore::GetEvent(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetEvent, {id}));
  if (r.rows() == 0) return db::NotFound("event", absl::StrCat("events/", id));
  return RowToEvent(r, 0);
}

absl::StatusOr<v1::Event> TrainingStore::EditEvent(const Change& change, int64_t id,
                                                   int64_t expected_version,
                                                   const EventEdit& edit) {
  v1::Event out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kLockEvent, {id}));
    if (r.rows() == 0) return db::NotFound("event", absl::StrCat("events/", id));
    auto current = RowToEvent(r, 0);
    if (!current.ok()) return current.status();
    if (expected_version != 0 && current->version() != expected_version) {
      return db::StaleVersion("event", expected_version, current->version());
    }
    v1::Event next = *current;
    if (absl::Status st = edit(next); !st.ok()) return st;
    auto w = c.Exec(kUpdateEvent,
                    {id, next.division_code(), wire::DateText(next.date()),
                     v1::EventState_Name(next.state()), Param::Bytes(EventBody(next)), Now()});
    if (!w.ok()) return w.status();
    ASSIGN_OR_RETURN(out, RowToEvent(*w, 0));
    return db::Audit(c, change, "event", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Event> TrainingStore::RecordRatings(
    const Change& change, int64_t id, const std::vector<Rating>& ratings,
    const std::function<absl::Status(const v1::Event&)>& check) {
  std::vector<std::string> ballots, satisfied;
  for (const Rating& r : ratings) {
    ballots.push_back(r.ballot_id);
    satisfied.push_back(r.satisfied ? "t" : "f");
  }
  const std::string ballot_array = db::TextArray(ballots);
  const std::string satisfied_array = absl::StrCat("{", absl::StrJoin(satisfied, ","), "}");
  v1::Event out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kLockEvent, {id}));
    if (r.rows() == 0) return db::NotFound("event", absl::StrCat("events/", id));
    auto current = RowToEvent(r, 0);
    if (!current.ok()) return current.status();
    if (absl::Status st = check(*current); !st.ok()) return st;
    auto u = c.Exec(kUpsertRatings, {id, ballot_array, satisfied_array});
    if (!u.ok()) return u.status();
    auto n = c.Exec(kCountRatings, {id});
    if (!n.ok()) return n.status();
    v1::Event next = *current;
    next.set_satisfied_ratings(n->Int64(0, 0));
    next.set_total_ratings(n->Int64(0, 1));
    auto w = c.Exec(kUpdateEvent,
                    {id, next.division_code(), wire::DateText(next.date()),
                     v1::EventState_Name(next.state()), Param::Bytes(EventBody(next)), Now()});
    if (!w.ok()) return w.status();
    ASSIGN_OR_RETURN(out, RowToEvent(*w, 0));
    return db::Audit(c, change, "event", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<v1::Event>> TrainingStore::ListEvents(const EventFilter& f,
                                                                 int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListEvents, {after_id, f.year, f.institution_credit_code,
                                                    f.division_code, f.state, limit}));
  return RowsToEvents(r);
}

absl::StatusOr<std::vector<v1::Event>> TrainingStore::EventsOfInstitutions(
    int year, const std::vector<std::string>& codes) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kEventsOfInstitutions, {db::TextArray(codes), year}));
  return RowsToEvents(r);
}

// Year policies ------------------------------------------------------------------------------

absl::StatusOr<v1::YearPolicy> TrainingStore::GetPolicy(int year) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetPolicy, {year}));
  if (r.rows() == 0) {
    v1::YearPolicy none;
    none.set_year(year);
    return none;
  }
  return RowToPolicy(year, r);
}

absl::StatusOr<v1::YearPolicy> TrainingStore::SetPolicy(const Change& change, int year,
                                                        bool has_subsidy,
                                                        int64_t expected_version) {
  v1::YearPolicy out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r,
                     expected_version == 0
                         ? c.Exec(kInsertPolicy, {year, has_subsidy, Now()})
                         : c.Exec(kUpdatePolicy, {year, has_subsidy, expected_version, Now()}));
    if (r.rows() == 0) {
      auto current = c.Exec(kGetPolicy, {year});
      if (!current.ok()) return current.status();
      return db::StaleVersion(absl::StrCat("the policy of ", year), expected_version,
                              current->rows() == 0 ? 0 : current->Int64(0, 1));
    }
    out = RowToPolicy(year, r);
    return db::Audit(c, change, "year_policy", absl::StrCat(year), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

// Tests --------------------------------------------------------------------------------------

absl::StatusOr<v1::TestSession> TrainingStore::CreateTestSession(const Change& change,
                                                                 const std::string& key,
                                                                 v1::TestSession in) {
  v1::TestSession out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    v1::TestSession body = in;
    body.clear_name();
    body.clear_create_time();
    body.clear_state();
    body.clear_close_time();
    ASSIGN_OR_RETURN(auto r,
                     c.Exec(kInsertSession, {wire::DateText(in.date()), in.year(),
                                             Param::Bytes(body.SerializeAsString()), Now()}));
    ASSIGN_OR_RETURN(out, RowToSession(r, 0));
    return db::Audit(c, change, "test_session", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::TestSession> TrainingStore::GetTestSession(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetSession, {id}));
  if (r.rows() == 0) return db::NotFound("test session", absl::StrCat("testSessions/", id));
  return RowToSession(r, 0);
}

absl::StatusOr<v1::TestResult> TrainingStore::PutTestResult(const Change& change,
                                                            int64_t session_id,
                                                            const v1::TestResult& in) {
  v1::TestResult out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    if (absl::Status open = RequireOpenSession(c, session_id); !open.ok()) return open;
    auto r =
        c.Exec(kUpsertResult, {session_id, in.credit_code(), v1::TestResultStatus_Name(in.status()),
                               in.score_hundredths(), in.excuse(), Now()});
    if (!r.ok()) return r.status();
    ASSIGN_OR_RETURN(out, RowToResult(*r, 0));
    return db::Audit(c, change, "test_result", absl::StrCat(out.session(), "/", out.credit_code()),
                     out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::TestResult> TrainingStore::EditTestResult(
    const Change& change, int64_t session_id, const std::string& code,
    const std::function<absl::Status(v1::TestResult&)>& edit) {
  v1::TestResult out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kLockResult, {session_id, code}));
    if (r.rows() == 0) {
      return db::NotFound("test result", absl::StrCat("testSessions/", session_id, " ", code));
    }
    ASSIGN_OR_RETURN(v1::TestResult next, RowToResult(r, 0));
    if (absl::Status st = edit(next); !st.ok()) return st;
    auto w = c.Exec(kUpdateResult,
                    {session_id, code, v1::TestResultStatus_Name(next.status()),
                     next.score_hundredths(), next.excuse(), next.decision_note(), Now()});
    if (!w.ok()) return w.status();
    ASSIGN_OR_RETURN(out, RowToResult(*w, 0));
    return db::Audit(c, change, "test_result", absl::StrCat(out.session(), "/", out.credit_code()),
                     out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<TrainingStore::ClosedSession> TrainingStore::CloseTestSession(
    const Change& change, int64_t id,
    const std::function<absl::Status(const v1::TestSession&)>& check) {
  ClosedSession out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kLockSession, {id}));
    if (r.rows() == 0) return db::NotFound("test session", absl::StrCat("testSessions/", id));
    auto session = RowToSession(r, 0);
    if (!session.ok()) return session.status();
    if (session->state() == v1::TEST_SESSION_CLOSED) {
      out.session = std::move(*session);
      return absl::OkStatus();  // closing twice changes nothing
    }
    if (absl::Status st = check(*session); !st.ok()) return st;
    auto recorded = c.Exec(kSessionResultCodes, {id});
    if (!recorded.ok()) return recorded.status();
    std::set<std::string> have;
    for (int i = 0; i < recorded->rows(); ++i) have.insert(recorded->String(i, 0));
    for (const std::string& code : session->expected_credit_codes()) {
      if (!have.count(code)) out.absent_at_close.push_back(code);
    }
    const std::string now = Now();
    if (!out.absent_at_close.empty()) {
      auto w = c.Exec(kInsertAbsentAtClose, {id, db::TextArray(out.absent_at_close), now});
      if (!w.ok()) return w.status();
      for (const std::string& code : out.absent_at_close) {
        if (absl::Status a =
                db::Audit(c, change, "test_result", absl::StrCat(session->name(), "/", code), 1);
            !a.ok()) {
          return a;
        }
      }
    }
    auto closed = c.Exec(kCloseSession, {id, now});
    if (!closed.ok()) return closed.status();
    auto next = RowToSession(*closed, 0);
    if (!next.ok()) return next.status();
    out.session = std::move(*next);
    out.changed = true;
    return db::Audit(c, change, "test_session", out.session.name(), 2);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<v1::TestSession>> TrainingStore::ListTestSessions(int year,
                                                                             int64_t after_id,
                                                                             int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListSessions, {after_id, year, limit}));
  std::vector<v1::TestSession> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto s = RowToSession(r, i);
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  return out;
}

absl::StatusOr<std::vector<v1::TestResult>> TrainingStore::ListTestResults(
    int64_t session_id, const std::string& credit_code, const std::string& after_code, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListResults, {session_id, after_code, credit_code, limit}));
  std::vector<v1::TestResult> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(v1::TestResult result, RowToResult(r, i));
    out.push_back(std::move(result));
  }
  return out;
}

absl::StatusOr<TrainingStore::YearTests> TrainingStore::TestsOfYear(
    int year, const std::vector<std::string>& codes) {
  YearTests out;
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto sessions = (lease)->Exec(kSessionsOfYear, {year});
  if (!sessions.ok()) return sessions.status();
  for (int i = 0; i < sessions->rows(); ++i) {
    auto s = RowToSession(*sessions, i);
    if (!s.ok()) return s.status();
    out.sessions.push_back(std::move(*s));
  }
  auto results = (lease)->Exec(kResultsOfYear, {year, db::TextArray(codes)});
  if (!results.ok()) return results.status();
  for (int i = 0; i < results->rows(); ++i) {
    ASSIGN_OR_RETURN(v1::TestResult result, RowToResult(*results, i));
    out.results.push_back(std::move(result));
  }
  return out;
}

// Meetings -----------------------------------------------------------------------------------

absl::StatusOr<v1::Meeting> TrainingStore::CreateMeeting(const Change& change,
                                                         const std::string& key, v1::Meeting in) {
  v1::Meeting out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    v1::Meeting body = in;
    body.clear_name();
    body.clear_create_time();
    ASSIGN_OR_RETURN(auto r,
                     c.Exec(kInsertMeeting, {wire::DateText(in.date()), in.year(), in.organiser(),
                                             Param::Bytes(body.SerializeAsString()), Now()}));
    ASSIGN_OR_RETURN(out, RowToMeeting(r, 0));
    return db::Audit(c, change, "meeting", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Meeting> TrainingStore::GetMeeting(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetMeeting, {id}));
  if (r.rows() == 0) return db::NotFound("meeting", absl::StrCat("meetings/", id));
  return RowToMeeting(r, 0);
}

absl::StatusOr<std::vector<v1::Meeting>> TrainingStore::MeetingsBetween(int first_year,
                                                                        int last_year) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kMeetingsBetween, {first_year, last_year}));
  std::vector<v1::Meeting> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto m = RowToMeeting(r, i);
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

absl::StatusOr<v1::Problem> TrainingStore::SubmitProblem(const Change& change,
                                                         const std::string& key, int64_t meeting_id,
                                                         const std::string& code,
                                                         const std::string& text) {
  v1::Problem out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(auto r, c.Exec(kInsertProblem, {meeting_id, code, text, Now()}));
    out = RowToProblem(r, 0);
    return db::Audit(c, change, "problem", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Problem> TrainingStore::GetProblem(int64_t meeting_id, int64_t problem_id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetProblem, {meeting_id, problem_id}));
  if (r.rows() == 0) {
    return db::NotFound("problem", absl::StrCat("meetings/", meeting_id, "/problems/", problem_id));
  }
  return RowToProblem(r, 0);
}

absl::StatusOr<v1::Problem> TrainingStore::AnswerProblem(const Change& change, int64_t meeting_id,
                                                         int64_t problem_id,
                                                         int64_t expected_version,
                                                         const std::string& answer) {
  v1::Problem out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kAnswerProblem, {meeting_id, problem_id, expected_version,
                                                     answer, change.actor.subject, Now()}));
    if (r.rows() == 0) {
      auto current = c.Exec(kGetProblem, {meeting_id, problem_id});
      if (!current.ok()) return current.status();
      if (current->rows() == 0) {
        return db::NotFound("problem",
                            absl::StrCat("meetings/", meeting_id, "/problems/", problem_id));
      }
      return db::StaleVersion("problem", expected_version, current->Int64(0, 7));
    }
    out = RowToProblem(r, 0);
    return db::Audit(c, change, "problem", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<v1::Problem>> TrainingStore::ListProblems(int64_t meeting_id,
                                                                     const std::string& code,
                                                                     int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListProblems, {meeting_id, code, after_id, limit}));
  std::vector<v1::Problem> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(RowToProblem(r, i));
  return out;
}

absl::Status TrainingStore::RecordCalendarReload(const Change& change, const std::string& path,
                                                 int years) {
  return pool_.Transaction(
      [&](Connection& c) -> absl::Status { return db::Audit(c, change, "calendar", path, years); });
}

}  // namespace zhigai::training
