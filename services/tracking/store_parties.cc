// The tracking store's parties: enterprises, their needs and the engagements institutions
// report (all SQL). Projects, counts and intake are in store.cc.
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/db/errors.h"
#include "libs/db/idempotent.h"
#include "libs/db/params.h"
#include "libs/db/stored.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/domain/need.h"
#include "services/tracking/store.h"

namespace zhigai::tracking {
namespace {

using db::Connection;
using db::Param;
using db::Statement;

// Enterprises.
constexpr Statement kInsertEnterprise{
    "tracking.insert_enterprise",
    "INSERT INTO enterprises (credit_code, division_code, body, version, created_at)"
    " VALUES ($1, $2, $3, 1, $4::timestamptz)"};
constexpr Statement kGetEnterprise{"tracking.get_enterprise",
                                   "SELECT body FROM enterprises WHERE credit_code = $1"};
constexpr Statement kListEnterprises{
    "tracking.list_enterprises",
    "SELECT body FROM enterprises WHERE credit_code > $1 AND ($2 = '' OR division_code = $2)"
    " ORDER BY credit_code LIMIT $3"};
constexpr Statement kEnterpriseDivision{
    "tracking.enterprise_division", "SELECT division_code FROM enterprises WHERE credit_code = $1"};

// Needs.
constexpr Statement kInsertNeed{
    "tracking.insert_need",
    "INSERT INTO needs (enterprise_credit_code, division_code, state, body, version)"
    " VALUES ($1, $2, 'OPEN', '\\x', 1) RETURNING id"};
constexpr Statement kSetNeedBody{"tracking.set_need_body",
                                 "UPDATE needs SET body = $2 WHERE id = $1"};
constexpr Statement kGetNeed{"tracking.get_need", "SELECT body FROM needs WHERE id = $1"};
constexpr Statement kLockNeed{"tracking.lock_need",
                              "SELECT body, version FROM needs WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpdateNeed{
    "tracking.update_need",
    "UPDATE needs SET state = $2, assignee = $3, body = $4, version = $5 WHERE id = $1"};
constexpr Statement kListNeeds{
    "tracking.list_needs",
    "SELECT body FROM needs WHERE id > $1 AND ($2 = '' OR division_code = $2)"
    " AND ($3 = '' OR enterprise_credit_code = $3) AND ($4 = '' OR assignee = $4)"
    " AND ($5 = '' OR state = $5) ORDER BY id LIMIT $6"};

// Engagements.
constexpr Statement kInsertEngagement{
    "tracking.insert_engagement",
    "INSERT INTO engagements (institution_credit_code, enterprise_credit_code, division_code,"
    " state, need_id, body, version) VALUES ($1, $2, $3, 'REPORTED', $4::bigint, '\\x', 1)"
    " RETURNING id"};
constexpr Statement kSetEngagementBody{"tracking.set_engagement_body",
                                       "UPDATE engagements SET body = $2 WHERE id = $1"};
constexpr Statement kGetEngagement{"tracking.get_engagement",
                                   "SELECT body FROM engagements WHERE id = $1"};
constexpr Statement kLockEngagement{
    "tracking.lock_engagement",
    "SELECT body, version, coalesce(need_id, 0) FROM engagements WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpdateEngagement{
    "tracking.update_engagement",
    "UPDATE engagements SET state = $2, body = $3, version = $4 WHERE id = $1"};
constexpr Statement kListEngagements{
    "tracking.list_engagements",
    "SELECT body FROM engagements WHERE id > $1 AND ($2 = '' OR division_code = $2)"
    " AND ($3 = '' OR institution_credit_code = $3) AND ($4 = '' OR enterprise_credit_code = $4)"
    " AND ($5 = '' OR state = $5) ORDER BY id LIMIT $6"};

template <typename Message>
absl::StatusOr<std::vector<Message>> ParseAll(const db::Result& r) {
  std::vector<Message> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(auto m, db::ParseStored<Message>(r.Text(i, 0)));
    out.push_back(std::move(m));
  }
  return out;
}

common::v1::ChangeStamp Stamp(const Change& change, const std::string& now) {
  common::v1::ChangeStamp stamp;
  stamp.set_actor(change.actor.subject);
  stamp.set_actor_role(change.actor.role);
  stamp.set_method(change.method);
  if (auto ts = wire::TimestampFromText(now)) *stamp.mutable_time() = *ts;
  return stamp;
}

// Writes a need's new body under the lock already held.
absl::Status WriteNeed(Connection& c, const Change& change, int64_t id, v1::Need& need,
                       int64_t version, const std::string& now) {
  need.set_version(version);
  if (auto ts = wire::TimestampFromText(now)) *need.mutable_update_time() = *ts;
  std::string assignee;
  if (!need.assignments().empty()) {
    const auto& last = *need.assignments().rbegin();
    if (last.state() == v1::PENDING || last.state() == v1::ACCEPTED) {
      assignee = last.institution_credit_code();
    }
  }
  if (auto u = c.Exec(kUpdateNeed, {id, v1::NeedState_Name(need.state()), assignee,
                                    Param::Bytes(need.SerializeAsString()), version});
      !u.ok()) {
    return u.status();
  }
  return db::Audit(c, change, "need", need.name(), version);
}

NeedState ToDomain(v1::NeedState s) {
  auto parsed = ParseNeedState(v1::NeedState_Name(s));
  return parsed.value_or(NeedState::kClosed);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Enterprises

absl::StatusOr<v1::Enterprise> TrackingStore::CreateEnterprise(const Change& change,
                                                               const std::string& key,
                                                               v1::Enterprise in) {
  v1::Enterprise out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    in.set_name(absl::StrCat("enterprises/", in.credit_code()));
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    auto r = c.Exec(kInsertEnterprise, {in.credit_code(), in.division_code(),
                                        Param::Bytes(in.SerializeAsString()), now});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "enterprises_pkey") {
        return Error(absl::StatusCode::kAlreadyExists, "ENTERPRISE_EXISTS",
                     absl::StrCat("enterprise ", in.credit_code(), " is already registered"),
                     "该企业已登记");
      }
      return r.status();
    }
    out = in;
    return db::Audit(c, change, "enterprise", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Enterprise> TrackingStore::GetEnterprise(const std::string& code) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetEnterprise, {code}));
  if (r.rows() == 0) return db::NotFound("enterprise", code);
  return db::ParseStored<v1::Enterprise>(r.Text(0, 0));
}

absl::StatusOr<std::vector<v1::Enterprise>> TrackingStore::ListEnterprises(
    const std::string& division, const std::string& after, int limit) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kListEnterprises, {after, division, limit}));
  return ParseAll<v1::Enterprise>(r);
}

// ---------------------------------------------------------------------------------------
// Needs

absl::StatusOr<v1::Need> TrackingStore::CreateNeed(const Change& change, const std::string& key,
                                                   v1::Need in) {
  v1::Need out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    ASSIGN_OR_RETURN(auto division, c.Exec(kEnterpriseDivision, {in.enterprise_credit_code()}));
    if (division.rows() == 0) {
      return RuleViolation("ENTERPRISE_NOT_REGISTERED", "R12.2",
                           absl::StrCat("enterprise ", in.enterprise_credit_code(),
                                        " must be registered before it records a need"),
                           "企业须先登记");
    }
    std::string now = Now();
    in.set_division_code(division.String(0, 0));
    auto r = c.Exec(kInsertNeed, {in.enterprise_credit_code(), in.division_code()});
    if (!r.ok()) return r.status();
    int64_t id = r->Int64(0, 0);
    in.set_name(absl::StrCat("needs/", id));
    in.set_state(v1::OPEN);
    in.clear_assignments();
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    if (auto b = c.Exec(kSetNeedBody, {id, Param::Bytes(in.SerializeAsString())}); !b.ok()) {
      return b.status();
    }
    out = in;
    return db::Audit(c, change, "need", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Need> TrackingStore::GetNeed(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetNeed, {id}));
  if (r.rows() == 0) return db::NotFound("need", absl::StrCat("needs/", id));
  return db::ParseStored<v1::Need>(r.Text(0, 0));
}

absl::StatusOr<std::vector<v1::Need>> TrackingStore::ListNeeds(const NeedFilter& f,
                                                               int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto r,
                   pool_.Exec(kListNeeds, {after_id, f.division_code, f.enterprise_credit_code,
                                           f.assignee, f.state, limit}));
  return ParseAll<v1::Need>(r);
}

absl::StatusOr<v1::Need> TrackingStore::UpdateNeed(const Change& change, int64_t id,
                                                   int64_t expected_version,
                                                   const NeedUpdate& apply) {
  v1::Need out;
  absl::Status s = pool_.Transaction([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(auto row, c.Exec(kLockNeed, {id}));
    if (row.rows() == 0) return db::NotFound("need", absl::StrCat("needs/", id));
    int64_t version = row.Int64(0, 1);
    if (version != expected_version) return db::StaleVersion("need", expected_version, version);
    auto current = db::ParseStored<v1::Need>(row.Text(0, 0));
    if (!current.ok()) return current.status();
    auto next = apply(*current);
    if (!next.ok()) return next.status();
    RETURN_IF_ERROR(WriteNeed(c, change, id, *next, version + 1, Now()));
    out = std::move(*next);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// ---------------------------------------------------------------------------------------
// Engagements

absl::StatusOr<std::optional<v1::Engagement>> TrackingStore::FindEngagementAnswer(
    const std::string& key) {
  ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
  auto found = db::FindIdempotentResponse(*lease, key);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->empty()) return std::optional<v1::Engagement>();
  v1::Engagement e;
  if (!e.ParseFromString(**found)) return absl::InternalError("stored answer does not parse");
  return std::optional<v1::Engagement>(std::move(e));
}

absl::StatusOr<v1::Engagement> TrackingStore::ReportEngagement(const Change& change,
                                                               const std::string& key,
                                                               v1::Engagement in, int64_t need_id) {
  v1::Engagement out;
  absl::Status s = db::RunIdempotent(pool_, key, change.method, &out, [&](Connection& c) {
    std::string now = Now();
    if (need_id != 0) {
      ASSIGN_OR_RETURN(auto row, c.Exec(kLockNeed, {need_id}));
      if (row.rows() == 0) return db::NotFound("need", in.need());
      auto need = db::ParseStored<v1::Need>(row.Text(0, 0));
      if (!need.ok()) return need.status();
      if (need->enterprise_credit_code() != in.enterprise_credit_code()) {
        return RuleViolation("NEED_OF_OTHER_ENTERPRISE", "R12.2",
                             "the need belongs to another enterprise", "该需求不属于此企业");
      }
      // Served already through an assignment this institution accepted: nothing to change.
      bool accepted_by_caller =
          need->state() == v1::SERVED && !need->assignments().empty() &&
          need->assignments().rbegin()->state() == v1::ACCEPTED &&
          need->assignments().rbegin()->institution_credit_code() == in.institution_credit_code();
      if (!accepted_by_caller) {
        if (auto t = CheckNeedTransition(ToDomain(need->state()), NeedState::kServed); !t.ok()) {
          return t;
        }
        need->set_state(v1::SERVED);
        if (auto w = WriteNeed(c, change, need_id, *need, row.Int64(0, 1) + 1, now); !w.ok()) {
          return w;
        }
      }
    }
    auto r = c.Exec(kInsertEngagement,
                    {in.institution_credit_code(), in.enterprise_credit_code(), in.division_code(),
                     need_id == 0 ? Param(std::nullopt) : Param(need_id)});
    if (!r.ok()) {
      if (db::ConstraintOf(r.status()) == "engagements_need_live") {
        return Error(absl::StatusCode::kAlreadyExists, "NEED_ALREADY_ENGAGED",
                     "another live engagement already serves this need", "该需求已有服务项目",
                     "R12.2");
      }
      return r.status();
    }
    int64_t id = r->Int64(0, 0);
    in.set_name(absl::StrCat("engagements/", id));
    in.set_state(v1::REPORTED);
    in.set_version(1);
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_create_time() = *ts;
    if (auto ts = wire::TimestampFromText(now)) *in.mutable_update_time() = *ts;
    in.clear_history();
    auto* event = in.add_history();
    event->set_to_state(v1::REPORTED);
    *event->mutable_change() = Stamp(change, now);
    if (auto b = c.Exec(kSetEngagementBody, {id, Param::Bytes(in.SerializeAsString())}); !b.ok()) {
      return b.status();
    }
    out = in;
    return db::Audit(c, change, "engagement", in.name(), 1);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::Engagement> TrackingStore::GetEngagement(int64_t id) {
  ASSIGN_OR_RETURN(auto r, pool_.Exec(kGetEngagement, {id}));
  if (r.rows() == 0) return db::NotFound("engagement", absl::StrCat("engagements/", id));
  return db::ParseStored<v1::Engagement>(r.Text(0, 0));
}

absl::StatusOr<std::vector<v1::Engagement>> TrackingStore::ListEngagements(
    const EngagementFilter& f, int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(
      auto r, pool_.Exec(kListEngagements, {after_id, f.division_code, f.institution_credit_code,
                                            f.enterprise_credit_code, f.state, limit}));
  return ParseAll<v1::Engagement>(r);
}

absl::StatusOr<v1::Engagement> TrackingStore::UpdateEngagement(const Change& change, int64_t id,
                                                               int64_t expected_version,
                                                               const EngagementUpdate& apply,
                                                               const std::string& key) {
  v1::Engagement out;
  auto body = [&](Connection& c) -> absl::Status {
    auto row = c.Exec(kLockEngagement, {id});
    if (!row.ok()) return row.status();
    if (row->rows() == 0) return db::NotFound("engagement", absl::StrCat("engagements/", id));
    int64_t version = row->Int64(0, 1);
    int64_t need_id = row->Int64(0, 2);
    if (expected_version != 0 && version != expected_version) {
      return db::StaleVersion("engagement", expected_version, version);
    }
    ASSIGN_OR_RETURN(auto current, db::ParseStored<v1::Engagement>(row->Text(0, 0)));
    auto next = apply(current);
    if (!next.ok()) return next.status();
    std::string now = Now();
    // The step the handler appended is stamped here, with the time the row is written.
    if (next->history_size() > current.history_size()) {
      *next->mutable_history(next->history_size() - 1)->mutable_change() = Stamp(change, now);
    }
    next->set_version(version + 1);
    if (auto ts = wire::TimestampFromText(now)) *next->mutable_update_time() = *ts;
    if (auto u =
            c.Exec(kUpdateEngagement, {id, v1::EngagementState_Name(next->state()),
                                       Param::Bytes(next->SerializeAsString()), next->version()});
        !u.ok()) {
      return u.status();
    }
    if (auto a = db::Audit(c, change, "engagement", next->name(), next->version()); !a.ok())
      return a;
    // A cancelled engagement leaves its need unserved again (R12.2), so the bureau can assign it.
    if (need_id != 0 && next->state() == v1::CANCELLED && current.state() != v1::CANCELLED) {
      auto need_row = c.Exec(kLockNeed, {need_id});
      if (!need_row.ok()) return need_row.status();
      if (need_row->rows() == 1) {
        auto need = db::ParseStored<v1::Need>(need_row->Text(0, 0));
        if (!need.ok()) return need.status();
        if (CheckNeedTransition(ToDomain(need->state()), NeedState::kOpen).ok() &&
            need->state() == v1::SERVED) {
          need->set_state(v1::OPEN);
          RETURN_IF_ERROR(WriteNeed(c, change, need_id, *need, need_row->Int64(0, 1) + 1, now));
        }
      }
    }
    out = std::move(*next);
    return absl::OkStatus();
  };
  absl::Status s = key.empty() ? pool_.Transaction(body)
                               : db::RunIdempotent(pool_, key, change.method, &out, body);
  if (!s.ok()) return s;
  return out;
}

}  // namespace zhigai::tracking
