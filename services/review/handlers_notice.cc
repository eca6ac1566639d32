// Public notice (公示), objections and the end of the call: admission through the outbox.
#include <map>
#include <set>

#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/outbox/outbox.h"
#include "libs/server/idempotency.h"
#include "libs/wire/typed_time.h"
#include "services/review/access.h"
#include "services/review/admission.h"
#include "services/review/domain/public_notice.h"
#include "services/review/domain/scoring.h"
#include "services/review/handlers.h"
#include "services/review/handlers_util.h"
#include "services/review/wire.h"

namespace zhigai::review {

using auth::Role;
using handlers::AfterId;
using handlers::ChangeOf;
using handlers::CheckRequestId;
using handlers::CheckVersion;
using handlers::FullMethod;
using server::RequireRole;
using server::Serve;

namespace {

absl::StatusOr<PublicNotice> NoticeOf(const v1::Call& call) {
  auto start = wire::ParseDate(call.notice_start_date(), "call.notice_start_date");
  if (!start.ok()) return absl::InternalError("the call has no notice start date");
  return PublicNotice{*start, call.notice_period_days()};
}

absl::Status RequireNotice(const v1::Call& call) {
  if (call.state() == v1::NOTICE) return absl::OkStatus();
  return RuleViolation("CALL_NOT_IN_NOTICE", "R7.1",
                       absl::StrCat("the call is ", v1::CallState_Name(call.state()),
                                    "; objections are taken during the public notice only"),
                       "征集通知不在公示期");
}

}  // namespace

grpc::Status ReviewHandlers::StartPublicNotice(grpc::ServerContext* ctx,
                                               const v1::StartPublicNoticeRequest* req,
                                               v1::Call* resp) {
  return Serve(
      ctx, proof_, FullMethod("StartPublicNotice"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        const absl::CivilDay today = Today();
        auto out = handlers::MoveCall(
            store_, call, req->name(), req->version(), CallState::kNotice,
            [&](db::Connection& c, v1::Call& current) -> absl::Status {
              auto id = ParseCallName(current.name(), "name");
              ASSIGN_OR_RETURN(auto rows, store_.Selections(c, *id));
              if (rows.empty()) {
                return RuleViolation("SELECTION_NOT_MADE", "R7.1",
                                     "select the applicants (SelectApplicants) before the notice",
                                     "尚未完成遴选，不能公示");
              }
              // Decision: the notice starts on the day it is published (start day = day 1).
              PublicNotice notice{today, current.notice_period_days()};
              *current.mutable_notice_start_date() = wire::ToDate(today);
              *current.mutable_notice_end_date() = wire::ToDate(NoticeEndDate(notice));
              // The notice enters the public feed with this transaction (issue 25 item 2).
              return outbox::Enqueue(c, NoticePublishedCommand(current, *id));
            });
        if (!out.ok()) return out.status();
        if (on_enqueued_) on_enqueued_();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::GetPublicNotice(grpc::ServerContext* ctx,
                                             const v1::GetPublicNoticeRequest* req,
                                             v1::PublicNotice* resp) {
  return Serve(
      ctx, proof_, FullMethod("GetPublicNotice"), [&](const server::Call&) -> absl::Status {
        ASSIGN_OR_RETURN(auto call_id, ParseCallName(req->call(), "call"));
        auto c = store_.GetCall(call_id);
        if (!c.ok()) return c.status();
        if (c->state() != v1::NOTICE && c->state() != v1::FINISHED) {
          return RuleViolation("NOTICE_NOT_PUBLISHED", "R7.1",
                               "the public notice is not published yet", "公示尚未发布");
        }
        auto rows = store_.Selections(call_id);
        if (!rows.ok()) return rows.status();
        auto apps = store_.ApplicationsOfCall(call_id);
        if (!apps.ok()) return apps.status();
        std::map<int64_t, const StoredApplication*> by_id;
        for (const auto& a : *apps) by_id[a.id] = &a;
        resp->set_call(c->name());
        resp->set_call_display_name(c->display_name());
        resp->set_year(c->year());
        resp->set_scope(c->scope());
        resp->set_division_code(c->division_code());
        *resp->mutable_start_date() = c->notice_start_date();
        *resp->mutable_end_date() = c->notice_end_date();
        // Public: organisations only (names, credit codes, directions), never people.
        for (const auto& row : *rows) {
          if (!row.selected) continue;
          const StoredApplication* a = by_id[row.application_id];
          if (!a) continue;
          v1::NoticeEntry* e = resp->add_entries();
          e->set_application(a->app.name());
          e->set_display_name(a->app.profile().display_name());
          e->set_credit_code(a->app.profile().credit_code());
          common::v1::Direction d = common::v1::DIRECTION_UNSPECIFIED;
          if (!common::v1::Direction_Parse(row.direction, &d)) {
            return absl::DataLossError(absl::StrCat("selections.direction holds \"", row.direction,
                                                    "\", not a direction"));
          }
          e->set_direction(d);
          for (const auto& m : a->app.consortium_members()) {
            v1::NoticeMember* nm = e->add_consortium_members();
            nm->set_credit_code(m.credit_code());
            nm->set_display_name(m.display_name());
          }
          ApplicationScore score{row.sum_ten_thousandths, row.experts_counted, row.experts_scored};
          e->set_score_hundredths(score.RoundedHundredths());
        }
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::FileObjection(grpc::ServerContext* ctx,
                                           const v1::FileObjectionRequest* req,
                                           v1::Objection* resp) {
  return Serve(
      ctx, proof_, FullMethod("FileObjection"), [&](const server::Call& call) -> absl::Status {
        if (call.principal.role == Role::kPublic) return handlers::Unauthenticated();
        Violations v;
        auto call_id = ParseCallName(req->parent(), "parent");
        v.Absorb(call_id.status());
        v.Absorb(CheckRequestId(req->request_id()));
        const auto& o = req->objection();
        auto ref = ParseApplicationName(o.application(), "objection.application");
        v.Absorb(ref.status());
        if (call_id.ok() && ref.ok() && ref->call_id != *call_id) {
          v.Add("objection.application", "R7.1", "the application belongs to another call");
        }
        if (o.direction() != common::v1::DIRECTION_UNSPECIFIED &&
            !DirectionFromProto(o.direction())) {
          v.Add("objection.direction", "R3.1",
                "direction must be CONSULTING or TRAINING, or unset");
        }
        v.Absorb(core::ValidateText(o.reason(), "objection.reason", 1, 2000, "R7.1"));
        RETURN_IF_ERROR(v.Finish("异议信息有误"));
        // Only what the notice shows can be objected to; the selection is frozen during NOTICE.
        ASSIGN_OR_RETURN(auto rows, store_.Selections(*call_id));
        bool shown = false;
        for (const auto& row : rows) {
          shown |= row.selected && row.application_id == ref->id &&
                   (o.direction() == common::v1::DIRECTION_UNSPECIFIED ||
                    row.direction == common::v1::Direction_Name(o.direction()));
        }
        const absl::CivilDay today = Today();
        auto out = store_.CreateObjection(
            ChangeOf(call), server::IdempotencyKey(call, *req), *call_id, ref->id, o,
            [&](const v1::Call& c) -> absl::Status {
              RETURN_IF_ERROR(RequireNotice(c));
              auto notice = NoticeOf(c);
              if (!notice.ok()) return notice.status();
              RETURN_IF_ERROR(CheckObjectionDate(*notice, today));
              if (!shown) {
                return RuleViolation(
                    "NOT_IN_NOTICE", "R7.1",
                    "the public notice does not list this application (in this direction)",
                    "公示名单中没有该申报");
              }
              return absl::OkStatus();
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ResolveObjection(grpc::ServerContext* ctx,
                                              const v1::ResolveObjectionRequest* req,
                                              v1::Objection* resp) {
  return Serve(
      ctx, proof_, FullMethod("ResolveObjection"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto ids = ParseObjectionName(req->name(), "name");
        v.Absorb(ids.status());
        v.Absorb(CheckVersion(req->version()));
        v.Absorb(core::ValidateText(req->resolution(), "resolution", 1, 1000, "R7.1"));
        RETURN_IF_ERROR(v.Finish());
        auto out = store_.ResolveObjection(ChangeOf(call), ids->first, ids->second, req->version(),
                                           req->uphold(), req->resolution(),
                                           [&](const v1::Call& c) -> absl::Status {
                                             if (auto s = MayManageCall(call.principal, c); !s.ok())
                                               return s;
                                             return RequireNotice(c);
                                           });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ListObjections(grpc::ServerContext* ctx,
                                            const v1::ListObjectionsRequest* req,
                                            v1::ListObjectionsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListObjections"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto call_id = ParseCallName(req->parent(), "parent");
        v.Absorb(call_id.status());
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto c, store_.GetCall(*call_id));
        if (!IsOverseer(call.principal, c)) return MayManageCall(call.principal, c);
        auto rows = store_.ListObjections(*call_id, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_objections() = std::move((*rows)[i].objection);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat((*rows)[*size - 1].id)));
        }
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::FinishCall(grpc::ServerContext* ctx, const v1::FinishCallRequest* req,
                                        v1::FinishCallResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("FinishCall"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        const absl::CivilDay today = Today();
        std::vector<v1::Admission> admissions;
        auto out = handlers::MoveCall(
            store_, call, req->name(), req->version(), CallState::kFinished,
            [&](db::Connection& c, v1::Call& current) -> absl::Status {
              admissions.clear();  // the transaction may run again after a serialization failure
              const int64_t id = *ParseCallName(current.name(), "name");
              ASSIGN_OR_RETURN(auto notice, NoticeOf(current));
              auto rows = store_.Selections(c, id);
              if (!rows.ok()) return rows.status();
              auto objection_rows = store_.Objections(c, id);
              if (!objection_rows.ok()) return objection_rows.status();
              std::vector<Selected> selected;
              for (const auto& row : *rows) {
                if (!row.selected) continue;
                auto d = DirectionFromName(row.direction);
                if (!d.ok()) return d.status();
                selected.push_back({absl::StrCat(row.application_id), *d});
              }
              std::vector<Objection> objections;
              for (const auto& r : *objection_rows) {
                Objection o;
                o.id = r.objection.name();
                o.application_id = absl::StrCat(r.application_id);
                o.direction = DirectionFromProto(r.objection.direction());
                o.status = r.objection.status() == v1::UPHELD     ? ObjectionStatus::kUpheld
                           : r.objection.status() == v1::REJECTED ? ObjectionStatus::kRejected
                                                                  : ObjectionStatus::kPending;
                objections.push_back(std::move(o));
              }
              auto admitted = AdmittedAfterNotice(notice, today, selected, objections);
              if (!admitted.ok()) return admitted.status();
              auto apps = store_.ApplicationsOfCall(c, id);
              if (!apps.ok()) return apps.status();
              std::map<std::string, const StoredApplication*> by_id;
              for (const auto& a : *apps) by_id[absl::StrCat(a.id)] = &a;
              std::set<std::string> registered;
              // Per applicant: its registration is enqueued now (a no-op at the registry when it is
              // known already); the admissions are recorded now and enqueued by the
              // AdmissionPromoter once the registration is acknowledged (admission.h).
              for (const Selected& s : *admitted) {
                const StoredApplication* a = by_id[s.application_id];
                if (!a) return absl::InternalError("selected application vanished");
                const std::string& code = a->app.profile().credit_code();
                if (registered.insert(code).second) {
                  if (auto e = outbox::Enqueue(c, RegisterCommand(id, a->app.profile())); !e.ok()) {
                    return e;
                  }
                }
                const std::string direction(DirectionName(s.direction));
                AdmissionRow row{a->id, direction, code, AdmitCommandId(id, code, direction)};
                RETURN_IF_ERROR(store_.InsertAdmission(c, id, row));
                v1::Admission adm;
                adm.set_application(a->app.name());
                adm.set_credit_code(code);
                adm.set_direction(DirectionToProto(s.direction));
                adm.set_command_id(row.command_id);
                admissions.push_back(std::move(adm));
              }
              return absl::OkStatus();
            });
        if (!out.ok()) return out.status();
        if (on_enqueued_) on_enqueued_();
        *resp->mutable_call() = std::move(*out);
        for (auto& a : admissions) *resp->add_admissions() = std::move(a);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::RetryAdmission(grpc::ServerContext* ctx,
                                            const v1::RetryAdmissionRequest* req,
                                            v1::Application* resp) {
  return Serve(
      ctx, proof_, FullMethod("RetryAdmission"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        ASSIGN_OR_RETURN(auto ref, ParseApplicationName(req->name(), "name"));
        auto app = handlers::ReadApplication(store_, call, ref.call_id, ref.id);
        if (!app.ok()) return app.status();
        RETURN_IF_ERROR(MayManageCall(call.principal, app->call));
        auto requeued = store_.RequeueRefusedAdmissions(ChangeOf(call), ref.call_id, ref.id);
        if (!requeued.ok()) return requeued.status();
        if (*requeued == 0) {
          return RuleViolation("NO_REFUSED_ADMISSION", "R4.1",
                               absl::StrCat("no admission of ", req->name(),
                                            " was refused by the registry: nothing to send again"),
                               "该申报没有被名录拒绝的入库，无需重新发送");
        }
        if (on_enqueued_) on_enqueued_();
        auto after = handlers::ReadApplication(store_, call, ref.call_id, ref.id);
        if (!after.ok()) return after.status();
        *resp = std::move(after->app.app);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::review
