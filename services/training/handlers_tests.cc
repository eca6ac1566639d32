// The city bureau's tests of institutions (R8.1) and their S1.3 scores for the evaluation.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/training/domain/scaled_mean.h"
#include "services/training/domain/test_scores.h"
#include "services/training/handlers.h"
#include "services/training/handlers_util.h"

namespace zhigai::training {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

// 1,000,000 marks: far above any real test, low enough for exact integer averaging.
constexpr int64_t kMaxFullMarksHundredths = 100000000;

TestAttendance AttendanceOf(v1::TestResultStatus status) {
  switch (status) {
    case v1::TAKEN:
      return TestAttendance::kTaken;
    case v1::EXCUSE_ACCEPTED:
      return TestAttendance::kAbsentExcused;
    case v1::EXCUSE_PENDING:
      return TestAttendance::kAbsentExcusePending;
    default:  // ABSENT_UNEXCUSED, EXCUSE_REJECTED
      return TestAttendance::kAbsentUnexcused;
  }
}

constexpr auto kTestReaders = {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution,
                               Role::kService};

// An institution reads only the sessions it is expected at, and sees itself as the only expected
// institution; bureaus and services see the whole session.
absl::Status ShowSession(const Call& call, v1::TestSession* session) {
  if (call.principal.role != Role::kInstitution) return absl::OkStatus();
  const std::string& own = call.principal.credit_code;
  for (const std::string& code : session->expected_credit_codes()) {
    if (code == own) {
      session->clear_expected_credit_codes();
      session->add_expected_credit_codes(own);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(
      absl::StrCat(session->name(), " not found among the test sessions ", own, " is expected at"));
}

// An institution's list is scoped to its own code; another code is refused, not emptied.
absl::Status ScopeToOwnCode(const Call& call, std::string* filter) {
  if (call.principal.role != Role::kInstitution) return absl::OkStatus();
  const std::string& own = call.principal.credit_code;
  if (own.empty() || (!filter->empty() && *filter != own)) {
    return absl::PermissionDeniedError(
        "an institution reads only its own test sessions and results (R8.1)");
  }
  *filter = own;
  return absl::OkStatus();
}

}  // namespace

grpc::Status TrainingHandlers::CreateTestSession(grpc::ServerContext* ctx,
                                                 const v1::CreateTestSessionRequest* req,
                                                 v1::TestSession* resp) {
  return Serve(ctx, proof_, FullMethod("CreateTestSession"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    const v1::TestSession& in = req->session();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id(), "request_id"));
    v.Absorb(core::ValidateLine(in.title(), "session.title", 1, 100, "FORMAT"));
    auto date = wire::ParseBusinessDate(in.date(), "session.date");
    v.Absorb(date.status());
    if (in.full_marks_hundredths() <= 0 || in.full_marks_hundredths() > kMaxFullMarksHundredths) {
      v.Add("session.full_marks_hundredths", "S1.3",
            "full marks must be positive (hundredths, at most 100000000)");
    }
    v.Absorb(ValidateBatchCodes(in.expected_credit_codes(), "session.expected_credit_codes"));
    RETURN_IF_ERROR(v.Finish("测评场次信息有误"));
    v1::TestSession session;
    session.set_title(in.title());
    *session.mutable_date() = in.date();
    session.set_year(static_cast<int>(date->year()));
    session.set_full_marks_hundredths(in.full_marks_hundredths());
    *session.mutable_expected_credit_codes() = in.expected_credit_codes();
    auto out =
        store_.CreateTestSession(ChangeOf(call), server::IdempotencyKey(call, *req), session);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::RecordTestResult(grpc::ServerContext* ctx,
                                                const v1::RecordTestResultRequest* req,
                                                v1::TestResult* resp) {
  return Serve(ctx, proof_, FullMethod("RecordTestResult"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    auto id = IdFromName(req->session(), "testSessions", "session");
    v.Absorb(id.status());
    v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    switch (req->outcome_case()) {
      case v1::RecordTestResultRequest::kScoreHundredths:
        if (req->score_hundredths() < 0) {
          v.Add("score_hundredths", "S1.3", "the score cannot be negative");
        }
        break;
      case v1::RecordTestResultRequest::kAbsence:
        v.Absorb(core::ValidateText(req->absence().excuse(), "absence.excuse", 0, 1000, "R8.1"));
        break;
      default:
        v.Add("outcome", "R8.1", "send score_hundredths or absence");
    }
    RETURN_IF_ERROR(v.Finish("测评成绩有误"));
    ASSIGN_OR_RETURN(auto session, store_.GetTestSession(*id));
    if (req->outcome_case() == v1::RecordTestResultRequest::kScoreHundredths &&
        req->score_hundredths() > session.full_marks_hundredths()) {
      return InvalidField("score_hundredths", "S1.3",
                          absl::StrCat("the score cannot exceed the full marks (",
                                       session.full_marks_hundredths(), " hundredths)"),
                          "得分不能超过满分");
    }
    bool expected = false;
    for (const auto& code : session.expected_credit_codes()) expected |= code == req->credit_code();
    if (!expected) {
      return RuleViolation(
          "NOT_EXPECTED_AT_SESSION", "R8.1",
          absl::StrCat("institution ", req->credit_code(),
                       " is not among the institutions expected at ", session.name()),
          "该机构不在本场测评的应参加机构名单中");
    }
    auto date = wire::ParseDate(session.date(), "date");
    if (!date.ok()) return date.status();
    if (*date > Today()) {
      return RuleViolation("TEST_NOT_HELD_YET", "R8.1",
                           absl::StrCat("the test takes place on ", wire::DateText(session.date()),
                                        "; results are recorded afterwards"),
                           "测评尚未举行");
    }
    v1::TestResult result;
    result.set_credit_code(req->credit_code());
    if (req->outcome_case() == v1::RecordTestResultRequest::kScoreHundredths) {
      result.set_status(v1::TAKEN);
      result.set_score_hundredths(req->score_hundredths());
    } else {
      // R8.1: an absence needs an excuse the bureau accepts; without one it scores 0.
      // A blank excuse is no excuse (ValidateText with a minimum treats whitespace as missing).
      const bool has_excuse =
          core::ValidateText(req->absence().excuse(), "excuse", 1, 1000, "R8.1").ok();
      result.set_status(has_excuse ? v1::EXCUSE_PENDING : v1::ABSENT_UNEXCUSED);
      result.set_excuse(has_excuse ? req->absence().excuse() : std::string());
    }
    ASSIGN_OR_RETURN(*resp, store_.PutTestResult(ChangeOf(call), *id, result));
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::DecideAbsenceExcuse(grpc::ServerContext* ctx,
                                                   const v1::DecideAbsenceExcuseRequest* req,
                                                   v1::TestResult* resp) {
  return Serve(
      ctx, proof_, FullMethod("DecideAbsenceExcuse"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
        Violations v;
        auto id = IdFromName(req->session(), "testSessions", "session");
        v.Absorb(id.status());
        v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
        v.Absorb(core::ValidateText(req->note(), "note", 0, 1000, "R8.1"));
        RETURN_IF_ERROR(v.Finish());
        auto out = store_.EditTestResult(
            ChangeOf(call), *id, req->credit_code(), [&](v1::TestResult& r) -> absl::Status {
              if (r.status() != v1::EXCUSE_PENDING) {
                return RuleViolation(
                    "NO_PENDING_EXCUSE", "R8.1",
                    absl::StrCat("there is no excuse waiting for a decision (the result is ",
                                 v1::TestResultStatus_Name(r.status()), ")"),
                    "没有待审核的请假理由");
              }
              r.set_status(req->accept() ? v1::EXCUSE_ACCEPTED : v1::EXCUSE_REJECTED);
              r.set_decision_note(req->note());
              return absl::OkStatus();
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status TrainingHandlers::BatchGetTestScores(grpc::ServerContext* ctx,
                                                  const v1::BatchGetTestScoresRequest* req,
                                                  v1::BatchGetTestScoresResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("BatchGetTestScores"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kService}));
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        v.Absorb(ValidateBatchCodes(req->credit_codes(), "credit_codes"));
        RETURN_IF_ERROR(v.Finish());
        std::vector<std::string> codes(req->credit_codes().begin(), req->credit_codes().end());
        ASSIGN_OR_RETURN(auto year, store_.TestsOfYear(req->year(), codes));

        // The domain's S1.3 tally decides what counts; the wire lists the counted tests and the
        // exact mean of their scaled scores.
        std::vector<TestSession> sessions;
        std::map<std::string, const v1::TestSession*> session_by_name;
        for (const v1::TestSession& s : year.sessions) {
          sessions.push_back(
              {s.name(), s.year(), static_cast<double>(s.full_marks_hundredths()) / 100.0});
          session_by_name[s.name()] = &s;
        }
        std::vector<TestResult> results;
        for (const v1::TestResult& r : year.results) {
          results.push_back({r.session(), r.credit_code(), AttendanceOf(r.status()),
                             static_cast<double>(r.score_hundredths()) / 100.0});
        }
        auto tallies = ScaleTestScores(req->year(), sessions, results, codes);
        if (!tallies.ok()) return tallies.status();

        std::map<std::string, std::vector<const v1::TestResult*>> by_code;
        for (const v1::TestResult& r : year.results) by_code[r.credit_code()].push_back(&r);
        // R8.1 (2026-12): a missing result becomes an absence only at the close; until then the
        // evaluation must know the score is provisional.
        std::map<std::string, int> open_without_result;
        for (const v1::TestSession& s : year.sessions) {
          if (s.state() == v1::TEST_SESSION_CLOSED) continue;
          for (const std::string& code : s.expected_credit_codes()) {
            bool has = false;
            for (const v1::TestResult* r : by_code[code]) has |= r->session() == s.name();
            if (!has) ++open_without_result[code];
          }
        }
        for (size_t i = 0; i < codes.size(); ++i) {
          v1::InstitutionTestScores* out = resp->add_scores();
          out->set_credit_code(codes[i]);
          out->set_excuses_pending((*tallies)[i].excuses_pending);
          out->set_open_sessions_without_result(open_without_result[codes[i]]);
          std::vector<ScaledTest> counted;
          // Sessions are in date order; list each institution's results in that order.
          for (const v1::TestSession& s : year.sessions) {
            for (const v1::TestResult* r : by_code[codes[i]]) {
              if (r->session() != s.name()) continue;
              const TestAttendance attendance = AttendanceOf(r->status());
              if (!IsCounted(attendance)) continue;
              v1::TestScore* t = out->add_tests();
              t->set_session(s.name());
              t->set_score_hundredths(CountedScoreHundredths(attendance, r->score_hundredths()));
              t->set_full_marks_hundredths(s.full_marks_hundredths());
              t->set_unexcused_absence(attendance != TestAttendance::kTaken);
              t->set_no_result_at_close(r->no_result_at_close());
              counted.push_back({t->score_hundredths(), t->full_marks_hundredths()});
            }
          }
          if (static_cast<int>(counted.size()) != (*tallies)[i].tests_counted) {
            return absl::InternalError("counted tests disagree with the S1.3 tally");
          }
          auto mean = ScaledMeanText(counted);
          if (!mean.ok()) return mean.status();
          out->set_scaled_mean(*mean);
        }
        return absl::OkStatus();
      });
}

grpc::Status TrainingHandlers::CloseTestSession(grpc::ServerContext* ctx,
                                                const v1::CloseTestSessionRequest* req,
                                                v1::TestSession* resp) {
  return Serve(ctx, proof_, FullMethod("CloseTestSession"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "testSessions", "name"));
    const absl::CivilDay today = Today();
    auto out = store_.CloseTestSession(
        ChangeOf(call), id, [&](const v1::TestSession& session) -> absl::Status {
          auto date = wire::ParseDate(session.date(), "date");
          if (!date.ok()) return date.status();
          if (*date > today) {
            return RuleViolation(
                "TEST_NOT_HELD_YET", "R8.1",
                absl::StrCat("the test takes place on ", wire::DateText(session.date()),
                             "; the session closes afterwards"),
                "测评尚未举行，不能关闭");
          }
          return absl::OkStatus();
        });
    if (!out.ok()) return out.status();
    *resp = std::move(out->session);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::GetTestSession(grpc::ServerContext* ctx,
                                              const v1::GetTestSessionRequest* req,
                                              v1::TestSession* resp) {
  return Serve(ctx, proof_, FullMethod("GetTestSession"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, kTestReaders));
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "testSessions", "name"));
    auto session = store_.GetTestSession(id);
    if (!session.ok()) return session.status();
    RETURN_IF_ERROR(ShowSession(call, &*session));
    *resp = std::move(*session);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::ListTestSessions(grpc::ServerContext* ctx,
                                                const v1::ListTestSessionsRequest* req,
                                                v1::ListTestSessionsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListTestSessions"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, kTestReaders));
    Violations v;
    if (req->year() != 0) v.Absorb(CheckYear(req->year(), "year"));
    std::string code = req->credit_code();
    if (!code.empty()) v.Absorb(core::ValidateCreditCode(code, "credit_code"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    RETURN_IF_ERROR(ScopeToOwnCode(call, &code));
    // Sessions are few (a handful a year) and hold their expected list in the body, so the
    // credit-code filter runs here, over the store's pages, until one page is full.
    constexpr int kScanBatch = 500;
    int64_t cursor = *after;
    bool more = true;
    while (more && resp->test_sessions_size() <= *size) {
      ASSIGN_OR_RETURN(auto rows, store_.ListTestSessions(req->year(), cursor, kScanBatch));
      more = static_cast<int>(rows.size()) == kScanBatch;
      for (v1::TestSession& session : rows) {
        cursor = std::stoll(IdOf(session.name()));
        bool expected = code.empty();
        for (const std::string& c : session.expected_credit_codes()) expected |= c == code;
        if (!expected) continue;
        RETURN_IF_ERROR(ShowSession(call, &session));
        if (resp->test_sessions_size() == *size) {
          // One more than a page exists: the page ends at the previous session.
          resp->set_next_page_token(
              db::EncodePageToken(IdOf(resp->test_sessions(*size - 1).name())));
          return absl::OkStatus();
        }
        *resp->add_test_sessions() = std::move(session);
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::ListTestResults(grpc::ServerContext* ctx,
                                               const v1::ListTestResultsRequest* req,
                                               v1::ListTestResultsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListTestResults"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, kTestReaders));
    Violations v;
    auto id = IdFromName(req->parent(), "testSessions", "parent");
    v.Absorb(id.status());
    std::string code = req->credit_code();
    if (!code.empty()) v.Absorb(core::ValidateCreditCode(code, "credit_code"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    RETURN_IF_ERROR(ScopeToOwnCode(call, &code));
    ASSIGN_OR_RETURN(auto session, store_.GetTestSession(*id));
    RETURN_IF_ERROR(ShowSession(call, &session));
    auto rows = store_.ListTestResults(*id, code, *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      *resp->add_test_results() = std::move((*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(resp->test_results(*size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

}  // namespace zhigai::training
