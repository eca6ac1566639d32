// Experts, assignments, score sheets, selections, objections and admissions.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/wire/typed_time.h"
#include "services/review/store.h"
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

constexpr Statement kInsertExpert{
    "review.insert_expert",
    "INSERT INTO experts (subject, body, version, created_at) VALUES ($1, $2, 1, $3::timestamptz)"
    " RETURNING id"};
constexpr Statement kSetExpertBody{"review.set_expert_body",
                                   "UPDATE experts SET body = $2 WHERE id = $1"};
constexpr Statement kListExperts{"review.list_experts",
                                 "SELECT id, body FROM experts WHERE id > $1 ORDER BY id LIMIT $2"};
constexpr Statement kExpertsById{
    "review.experts_by_id",
    "SELECT id, body FROM experts WHERE id = ANY ($1::bigint[]) ORDER BY id"};
constexpr Statement kExpertOfSubject{"review.expert_of_subject",
                                     "SELECT id FROM experts WHERE subject = $1"};

constexpr Statement kCallStateForShare{"review.call_state_for_share",
                                       "SELECT state FROM calls WHERE id = $1 FOR SHARE"};
constexpr Statement kAssignmentsOfCall{
    "review.assignments_of_call",
    "SELECT application_id, expert_id FROM assignments WHERE call_id = $1"
    " ORDER BY application_id, expert_id"};
constexpr Statement kIsAssigned{
    "review.is_assigned", "SELECT 1 FROM assignments WHERE application_id = $1 AND expert_id = $2"};
constexpr Statement kInsertAssignment{
    "review.insert_assignment",
    "INSERT INTO assignments (application_id, expert_id, call_id, created_at)"
    " SELECT $1, $2, $3, $4::timestamptz WHERE EXISTS (SELECT 1 FROM applications"
    " WHERE id = $1 AND call_id = $3) ON CONFLICT DO NOTHING RETURNING application_id"};

constexpr Statement kUpsertScores{
    "review.upsert_scores",
    "INSERT INTO expert_scores (application_id, expert_id, direction, sheet, weighted, version,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6::timestamptz)"
    " ON CONFLICT (application_id, expert_id, direction) DO UPDATE SET sheet = EXCLUDED.sheet,"
    " weighted = EXCLUDED.weighted, version = expert_scores.version + 1,"
    " updated_at = EXCLUDED.updated_at RETURNING version"};
constexpr Statement kScoresOfCall{
    "review.scores_of_call",
    "SELECT s.application_id, s.expert_id, s.direction, s.sheet FROM expert_scores s"
    " JOIN assignments a USING (application_id, expert_id) WHERE a.call_id = $1"
    " ORDER BY s.application_id, s.expert_id, s.direction"};

constexpr Statement kDeleteSelections{"review.delete_selections",
                                      "DELETE FROM selections WHERE call_id = $1"};
constexpr Statement kInsertSelection{
    "review.insert_selection",
    "INSERT INTO selections (call_id, application_id, direction, sum_ten_thousandths,"
    " experts_counted, experts_scored, rank, selected, boundary_tie)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
constexpr Statement kSelectionsOfCall{
    "review.selections_of_call",
    "SELECT application_id, direction, sum_ten_thousandths, experts_counted, experts_scored,"
    " rank, selected, boundary_tie FROM selections WHERE call_id = $1"
    " ORDER BY direction, rank, application_id"};

#define OBJECTION_COLUMNS                                                           \
  "o.id, o.call_id, o.application_id, o.direction, o.reason, o.filed_by, o.status," \
  " o.resolution, o.version, " REVIEW_TIME("o.created_at") ", " REVIEW_TIME("o.resolved_at")
constexpr Statement kInsertObjection{
    "review.insert_objection",
    "INSERT INTO objections AS o (call_id, application_id, direction, reason, filed_by, status,"
    " version, created_at) VALUES ($1, $2, $3, $4, $5, 'OBJECTION_PENDING', 1, $6::timestamptz)"
    " RETURNING " OBJECTION_COLUMNS};
constexpr Statement kGetObjection{"review.get_objection",
                                  "SELECT " OBJECTION_COLUMNS
                                  " FROM objections o WHERE o.id = $1 AND o.call_id = $2"};
constexpr Statement kResolveObjection{
    "review.resolve_objection",
    "UPDATE objections o SET status = $3, resolution = $4, resolved_by = $5,"
    " resolved_at = $6::timestamptz, version = version + 1"
    " WHERE id = $1 AND version = $2 AND status = 'OBJECTION_PENDING' "
    "RETURNING " OBJECTION_COLUMNS};
constexpr Statement kObjectionsOfCall{"review.objections_of_call",
                                      "SELECT " OBJECTION_COLUMNS
                                      " FROM objections o WHERE o.call_id = $1 AND o.id > $2"
                                      " ORDER BY o.id LIMIT $3"};

constexpr Statement kInsertAdmission{
    "review.insert_admission",
    "INSERT INTO admissions (call_id, application_id, direction, credit_code, command_id,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)"};
// The registration command's id is "register:<call>:<code>" (admission.h).
constexpr Statement kPromotable{
    "review.promotable_admissions",
    "SELECT a.call_id, a.application_id, a.direction, a.credit_code, a.command_id"
    " FROM admissions a JOIN outbox o ON o.command_id = 'register:' || a.call_id || ':' ||"
    " a.credit_code WHERE a.enqueued_at IS NULL AND o.delivered_at IS NOT NULL"
    " ORDER BY a.call_id, a.application_id, a.direction LIMIT $1 FOR UPDATE OF a SKIP LOCKED"};
constexpr Statement kMarkEnqueued{
    "review.mark_admission_enqueued",
    "UPDATE admissions SET enqueued_at = $3::timestamptz WHERE application_id = $1"
    " AND direction = $2"};
// The dispatcher picks a requeued command up at its next pass (next_attempt_at is wall time:
// retry pacing is a matter of the wall clock, not of business dates).
constexpr Statement kRequeueRefused{
    "review.requeue_refused_admissions",
    "UPDATE outbox o SET failed_at = NULL, attempts = 0, next_attempt_at = now(),"
    " last_error = 'requeued by the bureau: ' || coalesce(o.last_error, '')"
    " FROM admissions a WHERE a.call_id = $1 AND a.application_id = $2"
    " AND o.failed_at IS NOT NULL AND o.delivered_at IS NULL"
    " AND (o.command_id = a.command_id"
    "      OR o.command_id = 'register:' || a.call_id || ':' || a.credit_code)"
    " RETURNING o.command_id"};
constexpr Statement kAdmissionsOfCall{
    "review.admissions_of_call",
    "SELECT application_id, direction, credit_code, command_id FROM admissions"
    " WHERE call_id = $1 ORDER BY application_id, direction"};

absl::StatusOr<v1::Expert> RowToExpert(const db::Result& r, int i) {
  auto e = Parse<v1::Expert>(r.Text(i, 1));
  if (!e.ok()) return e.status();
  e->set_name(absl::StrCat("experts/", r.Int64(i, 0)));
  return e;
}

absl::StatusOr<ObjectionRow> RowToObjection(const db::Result& r, int i) {
  ObjectionRow row;
  row.id = r.Int64(i, 0);
  const int64_t call_id = r.Int64(i, 1);
  row.application_id = r.Int64(i, 2);
  v1::Objection& o = row.objection;
  o.set_name(absl::StrCat(CallName(call_id), "/objections/", row.id));
  o.set_application(ApplicationName(call_id, row.application_id));
  // '' is an objection to every direction (R7.1).
  ASSIGN_OR_RETURN(common::v1::Direction d,
                   db::OptionalEnumColumn<common::v1::Direction>(
                       r, i, 3, "objections.direction", common::v1::DIRECTION_UNSPECIFIED));
  o.set_direction(d);
  o.set_reason(r.String(i, 4));
  o.set_filed_by(r.String(i, 5));
  ASSIGN_OR_RETURN(v1::ObjectionStatus status,
                   db::EnumColumn<v1::ObjectionStatus>(r, i, 6, "objections.status"));
  o.set_status(status);
  o.set_resolution(r.String(i, 7));
  o.set_version(r.Int64(i, 8));
  if (auto ts = wire::TimestampFromText(r.String(i, 9))) *o.mutable_create_time() = *ts;
  if (auto ts = wire::TimestampFromText(r.String(i, 10))) *o.mutable_resolve_time() = *ts;
  return row;
}

absl::Status RequireReviewing(Connection& c, int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kCallStateForShare, {call_id}));
  if (r.rows() == 0) return NotFound("call", CallName(call_id));
  if (r.String(0, 0) != "REVIEWING") {
    return RuleViolation(
        "CALL_NOT_REVIEWING", "R7.1",
        absl::StrCat("the call is ", r.String(0, 0),
                     "; experts are assigned and score only while it is REVIEWING"),
        "征集通知不在评审阶段");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Expert> ReviewStore::CreateExpert(const Change& change, const std::string& key,
                                                     v1::Expert expert) {
  v1::Expert out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    const std::string now = Now();
    auto r = c.Exec(kInsertExpert, {expert.subject(), Param::Bytes(""), now});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "experts_subject_key") {
        return Error(absl::StatusCode::kAlreadyExists, "EXPERT_EXISTS",
                     "an expert with this subject is already in the pool", "该专家已在专家库中");
      }
      return r.status();
    }
    const int64_t id = r->Int64(0, 0);
    expert.set_name(absl::StrCat("experts/", id));
    expert.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *expert.mutable_create_time() = *ts;
    if (auto u = c.Exec(kSetExpertBody, {id, Param::Bytes(expert.SerializeAsString())}); !u.ok()) {
      return u.status();
    }
    out = expert;
    return Audit(c, change, "expert", expert.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<v1::Expert>> ReviewStore::ListExperts(int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListExperts, {after_id, limit}));
  std::vector<v1::Expert> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto e = RowToExpert(r, i);
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Expert>> ReviewStore::ExpertsById(const std::vector<int64_t>& ids) {
  std::vector<std::string> text;
  for (int64_t id : ids) text.push_back(absl::StrCat(id));
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kExpertsById, {db::TextArray(text)}));
  std::vector<v1::Expert> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto e = RowToExpert(r, i);
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

absl::StatusOr<std::optional<int64_t>> ReviewStore::ExpertIdOfSubject(const std::string& subject) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kExpertOfSubject, {subject}));
  if (r.rows() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int64(0, 0));
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> ReviewStore::Assignments(int64_t call_id) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return Assignments(*lease, call_id);
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> ReviewStore::Assignments(Connection& c,
                                                                                  int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kAssignmentsOfCall, {call_id}));
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Int64(i, 0), r.Int64(i, 1)});
  return out;
}

absl::StatusOr<bool> ReviewStore::IsAssigned(int64_t application_id, int64_t expert_id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kIsAssigned, {application_id, expert_id}));
  return r.rows() > 0;
}

absl::Status ReviewStore::InsertAssignments(const Change& change, int64_t call_id,
                                            const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  return pool_.Transaction([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(RequireReviewing(c, call_id));
    if (auto d = c.Exec(kDeleteSelections, {call_id}); !d.ok()) return d.status();
    const std::string now = Now();
    for (const auto& [app, expert] : pairs) {
      ASSIGN_OR_RETURN(auto r, c.Exec(kInsertAssignment, {app, expert, call_id, now}));
      if (r.rows() == 0) continue;  // already assigned
      RETURN_IF_ERROR(Audit(c, change, "assignment",
                            absl::StrCat(ApplicationName(call_id, app), "/experts/", expert), 1));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ExpertScoreSheet> ReviewStore::SaveScoreSheet(const Change& change,
                                                                 int64_t call_id,
                                                                 int64_t application_id,
                                                                 int64_t expert_id,
                                                                 v1::ExpertScoreSheet sheet) {
  v1::ExpertScoreSheet out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    RETURN_IF_ERROR(RequireReviewing(c, call_id));
    if (auto d = c.Exec(kDeleteSelections, {call_id}); !d.ok()) return d.status();
    if (auto ts = wire::TimestampFromText(Now())) *sheet.mutable_update_time() = *ts;
    auto r = c.Exec(kUpsertScores,
                    {application_id, expert_id, common::v1::Direction_Name(sheet.direction()),
                     Param::Bytes(sheet.SerializeAsString()), sheet.weighted_ten_thousandths(),
                     wire::TimestampText(sheet.update_time())});
    if (!r.ok()) {
      if (db::SqlStateOf(r.status()) == "23503") {
        return Error(absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED",
                     "the expert is not assigned to this application", "专家未被分配评审该申报",
                     "R7.1");
      }
      return r.status();
    }
    out = sheet;
    return Audit(c, change, "score_sheet",
                 absl::StrCat(sheet.application(), "/scores/", expert_id, "/",
                              common::v1::Direction_Name(sheet.direction())),
                 r->Int64(0, 0));
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<ScoreRow>> ReviewStore::ScoreSheets(Connection& c, int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kScoresOfCall, {call_id}));
  std::vector<ScoreRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto sheet = Parse<v1::ExpertScoreSheet>(r.Text(i, 3));
    if (!sheet.ok()) return sheet.status();
    out.push_back({r.Int64(i, 0), r.Int64(i, 1), r.String(i, 2), std::move(*sheet)});
  }
  return out;
}

absl::Status ReviewStore::ReplaceSelections(Connection& c, int64_t call_id,
                                            const std::vector<SelectionRow>& rows) {
  if (auto d = c.Exec(kDeleteSelections, {call_id}); !d.ok()) return d.status();
  for (const SelectionRow& row : rows) {
    if (auto r = c.Exec(
            kInsertSelection,
            {call_id, row.application_id, row.direction, row.sum_ten_thousandths,
             row.experts_counted, row.experts_scored, row.rank, row.selected, row.boundary_tie});
        !r.ok()) {
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SelectionRow>> ReviewStore::Selections(Connection& c, int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kSelectionsOfCall, {call_id}));
  std::vector<SelectionRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.Int64(i, 0), r.String(i, 1), r.Int64(i, 2), static_cast<int>(r.Int64(i, 3)),
                   static_cast<int>(r.Int64(i, 4)), static_cast<int>(r.Int64(i, 5)), r.Bool(i, 6),
                   r.Bool(i, 7)});
  }
  return out;
}

absl::StatusOr<std::vector<SelectionRow>> ReviewStore::Selections(int64_t call_id) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  return Selections(*lease, call_id);
}

absl::StatusOr<v1::Objection> ReviewStore::CreateObjection(
    const Change& change, const std::string& key, int64_t call_id, int64_t application_id,
    v1::Objection objection, const std::function<absl::Status(const v1::Call&)>& check) {
  v1::Objection out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(auto call, CallForShare(c, call_id));
    RETURN_IF_ERROR(check(call));
    auto r = c.Exec(kInsertObjection, {call_id, application_id,
                                       objection.direction() == common::v1::DIRECTION_UNSPECIFIED
                                           ? std::string()
                                           : common::v1::Direction_Name(objection.direction()),
                                       objection.reason(), change.actor.subject, Now()});
    if (!r.ok()) return r.status();
    ASSIGN_OR_RETURN(ObjectionRow row, RowToObjection(*r, 0));
    out = std::move(row.objection);
    return Audit(c, change, "objection", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<ObjectionRow> ReviewStore::GetObjection(int64_t call_id, int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetObjection, {id, call_id}));
  if (r.rows() == 0)
    return NotFound("objection", absl::StrCat(CallName(call_id), "/objections/", id));
  return RowToObjection(r, 0);
}

absl::StatusOr<v1::Objection> ReviewStore::ResolveObjection(
    const Change& change, int64_t call_id, int64_t id, int64_t expected_version, bool uphold,
    const std::string& resolution, const std::function<absl::Status(const v1::Call&)>& check) {
  v1::Objection out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto call, CallForShare(c, call_id));
    RETURN_IF_ERROR(check(call));
    auto r = c.Exec(kResolveObjection, {id, expected_version, uphold ? "UPHELD" : "REJECTED",
                                        resolution, change.actor.subject, Now()});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      auto current = c.Exec(kGetObjection, {id, call_id});
      if (!current.ok()) return current.status();
      if (current->rows() == 0) {
        return NotFound("objection", absl::StrCat(CallName(call_id), "/objections/", id));
      }
      ASSIGN_OR_RETURN(ObjectionRow row, RowToObjection(*current, 0));
      if (row.objection.status() != v1::OBJECTION_PENDING) {
        return RuleViolation("OBJECTION_ALREADY_RESOLVED", "R7.1",
                             "the objection was already resolved", "该异议已处理");
      }
      return Stale("objection", expected_version, row.objection.version());
    }
    ASSIGN_OR_RETURN(ObjectionRow row, RowToObjection(*r, 0));
    out = std::move(row.objection);
    return Audit(c, change, "objection", out.name(), out.version());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<ObjectionRow>> ReviewStore::Objections(Connection& c, int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, c.Exec(kObjectionsOfCall, {call_id, int64_t{0}, int64_t{1000000}}));
  std::vector<ObjectionRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(ObjectionRow row, RowToObjection(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::vector<ObjectionRow>> ReviewStore::ListObjections(int64_t call_id,
                                                                      int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kObjectionsOfCall, {call_id, after_id, int64_t{limit}}));
  std::vector<ObjectionRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(ObjectionRow row, RowToObjection(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

absl::Status ReviewStore::InsertAdmission(Connection& c, int64_t call_id, const AdmissionRow& row) {
  return c
      .Exec(kInsertAdmission,
            {call_id, row.application_id, row.direction, row.credit_code, row.command_id, Now()})
      .status();
}

absl::StatusOr<int> ReviewStore::PromoteAdmissions(
    int limit, const std::function<absl::StatusOr<outbox::Command>(const v1::Call&, int64_t,
                                                                   const AdmissionRow&)>& build) {
  int promoted = 0;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    promoted = 0;
    ASSIGN_OR_RETURN(auto r, c.Exec(kPromotable, {limit}));
    std::map<int64_t, v1::Call> calls;
    const std::string now = Now();
    for (int i = 0; i < r.rows(); ++i) {
      const int64_t call_id = r.Int64(i, 0);
      auto it = calls.find(call_id);
      if (it == calls.end()) {
        auto call = CallForShare(c, call_id);
        if (!call.ok()) return call.status();
        it = calls.emplace(call_id, std::move(*call)).first;
      }
      AdmissionRow row{r.Int64(i, 1), r.String(i, 2), r.String(i, 3), r.String(i, 4)};
      auto command = build(it->second, call_id, row);
      if (!command.ok()) return command.status();
      RETURN_IF_ERROR(outbox::Enqueue(c, *command));
      if (auto u = c.Exec(kMarkEnqueued, {row.application_id, row.direction, now}); !u.ok()) {
        return u.status();
      }
      ++promoted;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return promoted;
}

absl::StatusOr<int> ReviewStore::RequeueRefusedAdmissions(const Change& change, int64_t call_id,
                                                          int64_t application_id) {
  int requeued = 0;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto r, c.Exec(kRequeueRefused, {call_id, application_id}));
    // A registration shared by two directions comes back once (UPDATE ... FROM may join twice).
    std::set<std::string> ids;
    for (int i = 0; i < r.rows(); ++i) ids.insert(r.String(i, 0));
    requeued = static_cast<int>(ids.size());
    if (requeued == 0) return absl::OkStatus();
    return Audit(c, change, "admission", ApplicationName(call_id, application_id), requeued);
  });
  if (!s.ok()) return s;
  return requeued;
}

absl::StatusOr<std::vector<AdmissionRow>> ReviewStore::Admissions(int64_t call_id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kAdmissionsOfCall, {call_id}));
  std::vector<AdmissionRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.Int64(i, 0), r.String(i, 1), r.String(i, 2), r.String(i, 3)});
  }
  return out;
}

}  // namespace zhigai::review
