// Objections to a published round and the corrected publications they produce (issue 26).
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/enum_column.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/outbox/outbox.h"
#include "libs/wire/typed_time.h"
#include "services/evaluation/public_change.h"
#include "services/evaluation/store.h"
#include "services/evaluation/store_internal.h"

namespace zhigai::evaluation {
namespace {

using db::Connection;
using db::Param;
using db::Statement;
using namespace store_internal;  // NOLINT: the store's own helpers

constexpr Statement kInsertObjection{"evaluation.insert_objection",
                                     "INSERT INTO round_objections (year, credit_code, state, body)"
                                     " VALUES ($1, $2, 'OBJECTION_PENDING', $3) RETURNING id"};
constexpr Statement kGetObjection{
    "evaluation.get_objection",
    "SELECT id, state, body, version FROM round_objections WHERE year = $1 AND id = $2"};
constexpr Statement kLockObjection{
    "evaluation.lock_objection",
    "SELECT id, state, body, version FROM round_objections WHERE year = $1 AND id = $2"
    " FOR UPDATE"};
constexpr Statement kListObjections{
    "evaluation.list_objections",
    "SELECT id, state, body, version FROM round_objections WHERE year = $1 AND id > $2"
    " AND ($3 = '' OR credit_code = $3) ORDER BY id LIMIT $4"};
constexpr Statement kUpheldObjections{
    "evaluation.upheld_objections",
    "SELECT id, state, body, version FROM round_objections"
    " WHERE year = $1 AND state = 'OBJECTION_UPHELD' ORDER BY id"};
constexpr Statement kDecideObjection{
    "evaluation.decide_objection",
    "UPDATE round_objections SET state = $2, body = $3, version = version + 1"
    " WHERE id = $1 RETURNING version"};
constexpr Statement kSupersedeSheets{
    "evaluation.supersede_sheets",
    "INSERT INTO superseded_sheets (year, publication, credit_code, position, excellent, sheet)"
    " SELECT year, $2, credit_code, position, excellent, sheet FROM score_sheets"
    " WHERE year = $1",
    30000};
constexpr Statement kSupersedeExports{
    "evaluation.supersede_exports",
    "INSERT INTO superseded_exports (year, publication, content, format, body)"
    " SELECT year, $2, content, format, body FROM round_exports"
    " WHERE year = $1 AND content = 'RANKING'"};
constexpr Statement kClearSheets{"evaluation.clear_sheets",
                                 "DELETE FROM score_sheets WHERE year = $1", 30000};
constexpr Statement kClearRankingExports{
    "evaluation.clear_ranking_exports",
    "DELETE FROM round_exports WHERE year = $1 AND content = 'RANKING'"};
constexpr Statement kNextPublication{
    "evaluation.next_publication",
    "UPDATE rounds SET publication = publication + 1, version = version + 1 WHERE year = $1"
    " RETURNING version, publication"};

std::string ObjectionName(int year, int64_t id) {
  return absl::StrCat(RoundName(year), "/objections/", id);
}

absl::StatusOr<v1::RoundObjection> RowToObjection(const db::Result& r, int i, int year) {
  ASSIGN_OR_RETURN(v1::RoundObjection o, db::ParseStored<v1::RoundObjection>(r.Text(i, 2)));
  o.set_name(ObjectionName(year, r.Int64(i, 0)));
  ASSIGN_OR_RETURN(v1::RoundObjectionState state,
                   db::EnumColumn<v1::RoundObjectionState>(r, i, 1, "round_objections.state"));
  o.set_state(state);
  o.set_version(r.Int64(i, 3));
  return o;
}

absl::Status RequirePublished(const LockedRound& round) {
  if (round.state != v1::PUBLISHED) {
    return RuleViolation("ROUND_NOT_PUBLISHED", "R10.1",
                         "objections are to a published round's results",
                         "考核结果尚未公布，不能提出异议");
  }
  return absl::OkStatus();
}

// The pending objection, locked, at the version the caller read.
absl::StatusOr<v1::RoundObjection> LockPending(Connection& c, int year, int64_t id,
                                               int64_t expected_version) {
  ASSIGN_OR_RETURN(db::Result r, c.Exec(kLockObjection, {year, id}));
  if (r.rows() == 0) return db::NotFound("objection", ObjectionName(year, id));
  ASSIGN_OR_RETURN(v1::RoundObjection o, RowToObjection(r, 0, year));
  if (o.state() != v1::OBJECTION_PENDING) {
    return RuleViolation("OBJECTION_ALREADY_DECIDED", "R10.1",
                         absl::StrCat("the objection was already decided: ",
                                      v1::RoundObjectionState_Name(o.state())),
                         "该异议已处理");
  }
  if (o.version() != expected_version) {
    return db::StaleVersion("objection", expected_version, o.version());
  }
  return o;
}

absl::Status StoreDecision(Connection& c, const db::Change& change, int64_t id,
                           v1::RoundObjection& o) {
  v1::RoundObjection body = o;
  body.clear_name();
  body.clear_version();
  ASSIGN_OR_RETURN(db::Result r,
                   c.Exec(kDecideObjection, {id, v1::RoundObjectionState_Name(o.state()),
                                             Param::Bytes(body.SerializeAsString())}));
  o.set_version(r.Int64(0, 0));
  return db::Audit(c, change, "round_objection", o.name(), o.version());
}

}  // namespace

absl::StatusOr<v1::RoundObjection> EvaluationStore::FileObjection(const Change& change,
                                                                  const std::string& key, int year,
                                                                  const v1::RoundObjection& in) {
  v1::RoundObjection out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(LockedRound round, LockForUpdate(c, year));
    RETURN_IF_ERROR(RequirePublished(round));
    v1::RoundObjection body;
    body.set_credit_code(in.credit_code());
    body.set_reason(in.reason());
    body.set_state(v1::OBJECTION_PENDING);
    body.set_filed_by(change.actor.subject);
    if (auto ts = wire::TimestampFromText(Now())) *body.mutable_create_time() = *ts;
    ASSIGN_OR_RETURN(
        db::Result r,
        c.Exec(kInsertObjection, {year, in.credit_code(), Param::Bytes(body.SerializeAsString())}));
    const int64_t id = r.Int64(0, 0);
    out = body;
    out.set_name(ObjectionName(year, id));
    out.set_version(1);
    return db::Audit(c, change, "round_objection", out.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::RoundObjection> EvaluationStore::GetObjection(int year, int64_t id) {
  ASSIGN_OR_RETURN(db::Result r, pool_.Exec(kGetObjection, {year, id}));
  if (r.rows() == 0) return db::NotFound("objection", ObjectionName(year, id));
  return RowToObjection(r, 0, year);
}

absl::StatusOr<std::vector<v1::RoundObjection>> EvaluationStore::ListObjections(
    int year, int64_t after_id, const std::string& only_code, int limit) {
  ASSIGN_OR_RETURN(db::Result r,
                   pool_.Exec(kListObjections, {year, after_id, only_code, int64_t{limit}}));
  std::vector<v1::RoundObjection> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(v1::RoundObjection o, RowToObjection(r, i, year));
    out.push_back(std::move(o));
  }
  return out;
}

absl::StatusOr<std::vector<v1::InputCorrection>> EvaluationStore::UpheldCorrections(int year) {
  ASSIGN_OR_RETURN(db::Result r, pool_.Exec(kUpheldObjections, {year}));
  std::vector<v1::InputCorrection> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(v1::RoundObjection o, RowToObjection(r, i, year));
    for (const v1::InputCorrection& c : o.corrections()) out.push_back(c);
  }
  return out;
}

absl::StatusOr<v1::DecideRoundObjectionResponse> EvaluationStore::RejectObjection(
    const Change& change, int year, int64_t id, int64_t expected_version, const std::string& note) {
  v1::DecideRoundObjectionResponse out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(LockedRound round, LockForUpdate(c, year));
    RETURN_IF_ERROR(RequirePublished(round));
    ASSIGN_OR_RETURN(v1::RoundObjection o, LockPending(c, year, id, expected_version));
    o.set_state(v1::OBJECTION_REJECTED);
    o.set_decision_note(note);
    o.set_decided_by(change.actor.subject);
    if (auto ts = wire::TimestampFromText(Now())) *o.mutable_decide_time() = *ts;
    RETURN_IF_ERROR(StoreDecision(c, change, id, o));
    ASSIGN_OR_RETURN(*out.mutable_round(), ReadRoundIn(c, year));
    *out.mutable_objection() = std::move(o);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::DecideRoundObjectionResponse> EvaluationStore::UpholdObjection(
    const Change& change, int year, int64_t id, int64_t expected_version, const std::string& note,
    const std::vector<v1::InputCorrection>& corrections, int64_t round_version,
    const ComputedRound& corrected) {
  v1::DecideRoundObjectionResponse out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(LockedRound round, LockForUpdate(c, year));
    RETURN_IF_ERROR(RequirePublished(round));
    // The corrected ranking was computed from the round at `round_version`: another decision
    // since would be lost.
    if (round.version != round_version) return StaleRound(round_version, round.version);
    ASSIGN_OR_RETURN(v1::RoundObjection o, LockPending(c, year, id, expected_version));
    // The publication in force moves aside, whole, under its number; then the corrected one.
    for (const Statement* keep : {&kSupersedeSheets, &kSupersedeExports}) {
      RETURN_IF_ERROR(c.Exec(*keep, {year, round.publication}).status());
    }
    for (const Statement* clear : {&kClearSheets, &kClearRankingExports}) {
      RETURN_IF_ERROR(c.Exec(*clear, {year}).status());
    }
    RETURN_IF_ERROR(WriteCurrentRanking(c, year, corrected));
    ASSIGN_OR_RETURN(db::Result next, c.Exec(kNextPublication, {year}));
    const int64_t version = next.Int64(0, 0);
    o.set_state(v1::OBJECTION_UPHELD);
    o.set_decision_note(note);
    *o.mutable_corrections() = {corrections.begin(), corrections.end()};
    o.set_publication(static_cast<int32_t>(next.Int64(0, 1)));
    o.set_decided_by(change.actor.subject);
    if (auto ts = wire::TimestampFromText(Now())) *o.mutable_decide_time() = *ts;
    RETURN_IF_ERROR(StoreDecision(c, change, id, o));
    RETURN_IF_ERROR(AuditRound(c, change, year, version));
    // The corrected publication enters the registry's public feed like the first one.
    RETURN_IF_ERROR(outbox::Enqueue(c, RankingPublishedCommand(year, version, o.publication())));
    ASSIGN_OR_RETURN(*out.mutable_round(), ReadRoundIn(c, year));
    *out.mutable_objection() = std::move(o);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace zhigai::evaluation
