// Calls and applications.
#include "services/review/store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/wire/typed_time.h"
#include "services/review/domain/scoring.h"
#include "services/review/store_internal.h"

namespace zhigai::review {
namespace {

using db::Connection;
using db::Param;
using db::Statement;
using internal::Audit;
using internal::NotFound;
using internal::Parse;
using internal::Stale;

#define CALL_COLUMNS \
  "id, state, body, version, " REVIEW_TIME("created_at") ", " REVIEW_TIME("updated_at")
constexpr Statement kInsertCall{
    "review.insert_call",
    "INSERT INTO calls (year, scope, division_code, state, body, version, created_at, updated_at)"
    " VALUES ($1, $2, $3, 'DRAFT', $4, 1, $5::timestamptz, $5::timestamptz) "
    "RETURNING " CALL_COLUMNS};
constexpr Statement kGetCall{"review.get_call", "SELECT " CALL_COLUMNS " FROM calls WHERE id = $1"};
constexpr Statement kLockCall{"review.lock_call",
                              "SELECT " CALL_COLUMNS " FROM calls WHERE id = $1 FOR UPDATE"};
constexpr Statement kShareCall{"review.share_call",
                               "SELECT " CALL_COLUMNS " FROM calls WHERE id = $1 FOR SHARE"};
constexpr Statement kUpdateCall{
    "review.update_call",
    "UPDATE calls SET state = $2, body = $3, version = $4, updated_at = $5::timestamptz,"
    " year = $6, scope = $7, division_code = $8 WHERE id = $1"};
constexpr Statement kListCalls{
    "review.list_calls",
    "SELECT " CALL_COLUMNS
    " FROM calls WHERE ($1::int = 0 OR year = $1::int)"
    " AND ($2::boolean OR state <> 'DRAFT') AND ($3::bigint = 0 OR id < $3::bigint)"
    " ORDER BY id DESC LIMIT $4"};

#define APP_COLUMNS                                                         \
  "a.id, a.call_id, a.state, a.body, a.checklist, a.version, " REVIEW_TIME( \
      "a.created_at") ", " REVIEW_TIME("a.updated_at") ", " REVIEW_TIME("a.submitted_at")
constexpr Statement kInsertApplication{
    "review.insert_application",
    "INSERT INTO applications AS a (call_id, credit_code, state, body, version, created_at,"
    " updated_at) VALUES ($1, $2, 'APPLICATION_DRAFT', $3, 1, $4::timestamptz, $4::timestamptz)"
    " RETURNING " APP_COLUMNS};
constexpr Statement kInsertMember{
    "review.insert_member",
    "INSERT INTO application_members (application_id, credit_code) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteMembers{"review.delete_members",
                                   "DELETE FROM application_members WHERE application_id = $1"};
constexpr Statement kGetApplication{"review.get_application",
                                    "SELECT " APP_COLUMNS
                                    " FROM applications a WHERE a.id = $1 AND a.call_id = $2"};
constexpr Statement kLockApplication{
    "review.lock_application",
    "SELECT " APP_COLUMNS " FROM applications a WHERE a.id = $1 AND a.call_id = $2 FOR UPDATE"};
constexpr Statement kUpdateApplication{
    "review.update_application",
    "UPDATE applications SET state = $2, body = $3, checklist = $4, version = $5,"
    " updated_at = $6::timestamptz, submitted_at = CASE WHEN $2 = 'SUBMITTED' AND submitted_at"
    " IS NULL THEN $6::timestamptz ELSE submitted_at END WHERE id = $1"};
constexpr Statement kListApplications{
    "review.list_applications",
    "SELECT " APP_COLUMNS
    " FROM applications a WHERE a.call_id = $1 AND a.id > $2"
    " AND ($3 = '' OR a.credit_code = $3 OR EXISTS (SELECT 1 FROM application_members m"
    " WHERE m.application_id = a.id AND m.credit_code = $3))"
    " AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM assignments s WHERE s.application_id = a.id"
    " AND s.expert_id = $4::bigint)) ORDER BY a.id LIMIT $5"};
constexpr Statement kApplicationsOfCall{"review.applications_of_call",
                                        "SELECT " APP_COLUMNS
                                        " FROM applications a WHERE a.call_id = $1 ORDER BY a.id"};
constexpr Statement kSelectionsOfApps{
    "review.selections_of_apps",
    "SELECT application_id, direction, sum_ten_thousandths, experts_counted, experts_scored,"
    " rank, selected FROM selections WHERE application_id = ANY ($1::bigint[])"};
// An admission is ADMITTED once the registry acknowledged its command, REFUSED when the
// registry refused it (or the applicant's registration) for good, PENDING until then.
constexpr Statement kAdmissionsOfApps{
    "review.admissions_of_apps",
    "SELECT a.application_id, a.direction,"
    " CASE WHEN ao.delivered_at IS NOT NULL THEN 'ADMITTED'"
    "      WHEN ao.failed_at IS NOT NULL OR ro.failed_at IS NOT NULL THEN 'ADMISSION_REFUSED'"
    "      ELSE 'ADMISSION_PENDING' END,"
    " CASE WHEN ao.failed_at IS NOT NULL THEN ao.last_error"
    "      WHEN ro.failed_at IS NOT NULL THEN 'registration: ' || ro.last_error ELSE '' END"
    " FROM admissions a"
    " LEFT JOIN outbox ro ON ro.command_id = 'register:' || a.call_id || ':' || a.credit_code"
    " LEFT JOIN outbox ao ON ao.command_id = a.command_id"
    " WHERE a.application_id = ANY ($1::bigint[])"};

v1::Call Strip(v1::Call call) {
  call.clear_name();
  call.clear_state();
  call.clear_version();
  call.clear_create_time();
  call.clear_update_time();
  return call;
}

v1::Application Strip(v1::Application app) {
  app.clear_name();
  app.clear_state();
  app.clear_results();
  app.clear_version();
  app.clear_create_time();
  app.clear_update_time();
  app.clear_submit_time();
  // The profile is a registry Institution; its resource fields belong to the registry's copy.
  if (app.has_profile()) {
    registry::v1::Institution* p = app.mutable_profile();
    p->clear_name();
    p->clear_version();
    p->clear_create_time();
    p->clear_update_time();
  }
  return app;
}

absl::StatusOr<v1::Call> RowToCall(const db::Result& r, int i) {
  auto call = Parse<v1::Call>(r.Text(i, 2));
  if (!call.ok()) return call.status();
  call->set_name(CallName(r.Int64(i, 0)));
  ASSIGN_OR_RETURN(v1::CallState state, db::EnumColumn<v1::CallState>(r, i, 1, "calls.state"));
  call->set_state(state);
  call->set_version(r.Int64(i, 3));
  if (auto ts = wire::TimestampFromText(r.String(i, 4))) *call->mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 5))) *call->mutable_update_time() = *ts;
  return call;
}

absl::StatusOr<StoredApplication> RowToApplication(const db::Result& r, int i) {
  StoredApplication out;
  out.id = r.Int64(i, 0);
  out.call_id = r.Int64(i, 1);
  auto app = Parse<v1::Application>(r.Text(i, 3));
  if (!app.ok()) return app.status();
  out.app = std::move(*app);
  if (!r.IsNull(i, 4)) {
    auto checklist = Parse<v1::EligibilityChecklist>(r.Text(i, 4));
    if (!checklist.ok()) return checklist.status();
    out.checklist = std::move(*checklist);
  }
  out.app.set_name(ApplicationName(out.call_id, out.id));
  ASSIGN_OR_RETURN(v1::ApplicationState state,
                   db::EnumColumn<v1::ApplicationState>(r, i, 2, "applications.state"));
  out.app.set_state(state);
  out.app.set_version(r.Int64(i, 5));
  if (auto ts = wire::TimestampFromText(r.String(i, 6))) *out.app.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 7))) *out.app.mutable_update_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 8))) *out.app.mutable_submit_time() = *ts;
  if (out.checklist) {
    out.checklist->set_name(absl::StrCat(out.app.name(), "/checklist"));
    out.checklist->set_version(out.app.version());
  }
  return out;
}

// Fills each application's per-direction results: eligibility from its checklist, score and
// rank from the latest selection, admission from FinishCall. Two queries for the whole page.
absl::Status Decorate(Connection& c, std::vector<StoredApplication>& apps) {
  if (apps.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  std::map<int64_t, StoredApplication*> by_id;
  for (auto& a : apps) {
    ids.push_back(absl::StrCat(a.id));
    by_id[a.id] = &a;
    a.app.clear_results();
    for (int d : a.app.directions()) {
      v1::DirectionResult* r = a.app.add_results();
      r->set_direction(static_cast<common::v1::Direction>(d));
      if (!a.checklist) continue;
      for (const auto& o : a.checklist->outcomes()) {
        if (o.direction() == d) r->set_eligibility(o.eligibility());
      }
    }
  }
  auto find = [&](int64_t app, const std::string& direction) -> v1::DirectionResult* {
    auto it = by_id.find(app);
    if (it == by_id.end()) return nullptr;
    for (auto& r : *it->second->app.mutable_results()) {
      if (common::v1::Direction_Name(r.direction()) == direction) return &r;
    }
    return nullptr;
  };
  const std::string array = db::TextArray(ids);
  ASSIGN_OR_RETURN(auto sel, c.Exec(kSelectionsOfApps, {array}));
  for (int i = 0; i < sel.rows(); ++i) {
    v1::DirectionResult* r = find(sel.Int64(i, 0), sel.String(i, 1));
    if (!r) continue;
    ApplicationScore score{sel.Int64(i, 2), static_cast<int>(sel.Int64(i, 3)),
                           static_cast<int>(sel.Int64(i, 4))};
    r->set_score_hundredths(score.RoundedHundredths());
    r->set_experts_counted(score.experts_counted);
    r->set_experts_scored(score.experts_scored);
    r->set_rank(static_cast<int>(sel.Int64(i, 5)));
    r->set_selected(sel.Bool(i, 6));
  }
  auto adm = c.Exec(kAdmissionsOfApps, {array});
  if (!adm.ok()) return adm.status();
  for (int i = 0; i < adm->rows(); ++i) {
    v1::DirectionResult* r = find(adm->Int64(i, 0), adm->String(i, 1));
    if (!r) continue;
    ASSIGN_OR_RETURN(v1::AdmissionState state,
                     db::EnumColumn<v1::AdmissionState>(*adm, i, 2, "admissions.state"));
    r->set_admission_state(state);
    r->set_admitted(state == v1::ADMITTED);
    r->set_admission_error(adm->String(i, 3));
  }
  return absl::OkStatus();
}

absl::Status WriteMembers(Connection& c, int64_t id, const v1::Application& app) {
  if (auto d = c.Exec(kDeleteMembers, {id}); !d.ok()) return d.status();
  for (const auto& m : app.consortium_members()) {
    if (auto r = c.Exec(kInsertMember, {id, m.credit_code()}); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Call> LoadCall(Connection& c, const Statement& st, int64_t id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(st, {id}));
  if (r.rows() == 0) return NotFound("call", CallName(id));
  return RowToCall(r, 0);
}

}  // namespace

std::string CallName(int64_t id) { return absl::StrCat("calls/", id); }
std::string ApplicationName(int64_t call_id, int64_t id) {
  return absl::StrCat("calls/", call_id, "/applications/", id);
}

std::string ReviewStore::Now() const { return core::FormatTimestamp(clock_()); }

absl::StatusOr<v1::Call> ReviewStore::CreateCall(const Change& change, const std::string& key,
                                                 v1::Call call) {
  v1::Call out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    auto r = c.Exec(kInsertCall,
                    {call.year(), common::v1::DirectoryLevel_Name(call.scope()),
                     call.division_code(), Param::Bytes(Strip(call).SerializeAsString()), Now()});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "calls_one_city_call_a_year") {
        return Error(absl::StatusCode::kAlreadyExists, "CITY_CALL_EXISTS",
                     absl::StrCat("the city bureau runs one open call a year: ", call.year(),
                                  " has one already (R4.1)"),
                     absl::StrCat(call.year(), " 年度市级征集已存在，每年只开展一次（R4.1）"),
                     "R4.1");
      }
      return r.status();
    }
    ASSIGN_OR_RETURN(out, RowToCall(*r, 0));
    return Audit(c, change, "call", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Call> ReviewStore::GetCall(int64_t id) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return LoadCall(*lease, kGetCall, id);
}

absl::StatusOr<v1::Call> ReviewStore::CallForShare(Connection& c, int64_t id) {
  return LoadCall(c, kShareCall, id);
}

absl::StatusOr<std::vector<v1::Call>> ReviewStore::ListCalls(int year, bool with_drafts,
                                                             int64_t before_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListCalls, {year, with_drafts, before_id, limit}));
  std::vector<v1::Call> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto call = RowToCall(r, i);
    if (!call.ok()) return call.status();
    out.push_back(std::move(*call));
  }
  return out;
}

absl::StatusOr<v1::Call> ReviewStore::MutateCall(
    const Change& change, int64_t id, int64_t expected_version,
    const std::function<absl::Status(db::Connection&, v1::Call&)>& fn) {
  v1::Call out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    auto call = LoadCall(c, kLockCall, id);
    if (!call.ok()) return call.status();
    if (expected_version != 0 && call->version() != expected_version) {
      return Stale("call", expected_version, call->version());
    }
    RETURN_IF_ERROR(fn(c, *call));
    call->set_version(call->version() + 1);
    if (auto ts = wire::TimestampFromText(Now())) *call->mutable_update_time() = *ts;
    if (auto u = c.Exec(
            kUpdateCall,
            {id, v1::CallState_Name(call->state()), Param::Bytes(Strip(*call).SerializeAsString()),
             call->version(), wire::TimestampText(call->update_time()), call->year(),
             common::v1::DirectoryLevel_Name(call->scope()), call->division_code()});
        !u.ok()) {
      return u.status();
    }
    out = *call;
    return Audit(c, change, "call", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<StoredApplication> ReviewStore::CreateApplication(
    const Change& change, const std::string& key, int64_t call_id, v1::Application app,
    const std::function<absl::Status(const v1::Call&)>& check) {
  v1::Application answer;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &answer, [&](Connection& c) {
    ASSIGN_OR_RETURN(auto call, LoadCall(c, kShareCall, call_id));
    RETURN_IF_ERROR(check(call));
    auto r = c.Exec(kInsertApplication, {call_id, app.profile().credit_code(),
                                         Param::Bytes(Strip(app).SerializeAsString()), Now()});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "applications_one_per_applicant") {
        return Error(absl::StatusCode::kAlreadyExists, "APPLICATION_EXISTS",
                     absl::StrCat("applicant ", app.profile().credit_code(),
                                  " already has an application in ", CallName(call_id)),
                     "该单位已提交过本次征集的申报");
      }
      return r.status();
    }
    auto row = RowToApplication(*r, 0);
    if (!row.ok()) return row.status();
    RETURN_IF_ERROR(WriteMembers(c, row->id, app));
    std::vector<StoredApplication> one{*row};
    RETURN_IF_ERROR(Decorate(c, one));
    answer = one[0].app;
    return Audit(c, change, "application", answer.name(), 1);
  });
  if (!s.ok()) return s;
  // The answer may come from the idempotency record; re-read for the current state.
  StoredApplication out;
  out.call_id = call_id;
  out.app = answer;
  return out;
}

absl::StatusOr<StoredApplication> ReviewStore::GetApplication(int64_t call_id, int64_t id) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto r = (lease)->Exec(kGetApplication, {id, call_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return NotFound("application", ApplicationName(call_id, id));
  auto row = RowToApplication(*r, 0);
  if (!row.ok()) return row.status();
  std::vector<StoredApplication> one{std::move(*row)};
  RETURN_IF_ERROR(Decorate(*lease, one));
  return std::move(one[0]);
}

absl::StatusOr<std::vector<StoredApplication>> ReviewStore::ListApplications(
    int64_t call_id, const ApplicationFilter& filter, int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto r = (lease)->Exec(kListApplications,
                         {call_id, after_id, filter.credit_code, filter.expert_id, limit});
  if (!r.ok()) return r.status();
  std::vector<StoredApplication> out;
  for (int i = 0; i < r->rows(); ++i) {
    auto row = RowToApplication(*r, i);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  RETURN_IF_ERROR(Decorate(*lease, out));
  return out;
}

absl::StatusOr<std::vector<StoredApplication>> ReviewStore::ApplicationsOfCall(Connection& c,
                                                                               int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kApplicationsOfCall, {call_id}));
  std::vector<StoredApplication> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto row = RowToApplication(r, i);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  RETURN_IF_ERROR(Decorate(c, out));
  return out;
}

absl::StatusOr<std::vector<StoredApplication>> ReviewStore::ApplicationsOfCall(int64_t call_id) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return ApplicationsOfCall(*lease, call_id);
}

absl::StatusOr<StoredApplication> ReviewStore::MutateApplication(
    const Change& change, int64_t call_id, int64_t id, int64_t expected_version,
    const std::function<absl::Status(db::Connection&, const v1::Call&, StoredApplication&)>& fn) {
  StoredApplication out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto call, LoadCall(c, kShareCall, call_id));
    auto r = c.Exec(kLockApplication, {id, call_id});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return NotFound("application", ApplicationName(call_id, id));
    auto app = RowToApplication(*r, 0);
    if (!app.ok()) return app.status();
    if (expected_version != 0 && app->app.version() != expected_version) {
      return Stale("application", expected_version, app->app.version());
    }
    RETURN_IF_ERROR(fn(c, call, *app));
    const int64_t version = app->app.version() + 1;
    const std::string now = Now();
    Param checklist =
        app->checklist ? Param::Bytes(app->checklist->SerializeAsString()) : Param(std::nullopt);
    if (auto u = c.Exec(kUpdateApplication, {id, v1::ApplicationState_Name(app->app.state()),
                                             Param::Bytes(Strip(app->app).SerializeAsString()),
                                             checklist, version, now});
        !u.ok()) {
      return u.status();
    }
    RETURN_IF_ERROR(WriteMembers(c, id, app->app));
    RETURN_IF_ERROR(Audit(c, change, "application", app->app.name(), version));
    auto again = c.Exec(kGetApplication, {id, call_id});
    if (!again.ok()) return again.status();
    auto row = RowToApplication(*again, 0);
    if (!row.ok()) return row.status();
    std::vector<StoredApplication> one{std::move(*row)};
    RETURN_IF_ERROR(Decorate(c, one));
    out = std::move(one[0]);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace zhigai::review
