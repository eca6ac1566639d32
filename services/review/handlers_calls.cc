// Calls: create, read, change while DRAFT, list, and the state changes up to REVIEWING.
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/field_mask_util.h>

#include <set>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/server/idempotency.h"
#include "services/review/access.h"
#include "services/review/domain/call_state.h"
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

absl::CivilDay ReviewHandlers::Today() const { return core::BusinessDayOf(clock_()); }

namespace handlers {

// Moves the call to `to` through the domain's state machine (R4.1), with `extra` checks and
// changes in the same transaction.
absl::StatusOr<v1::Call> MoveCall(
    ReviewStore& store, const server::Call& call, const std::string& name, int64_t version,
    CallState to, const std::function<absl::Status(db::Connection&, v1::Call&)>& extra) {
  Violations v;
  auto id = ParseCallName(name, "name");
  v.Absorb(id.status());
  v.Absorb(CheckVersion(version));
  RETURN_IF_ERROR(v.Finish());
  return store.MutateCall(ChangeOf(call), *id, version,
                          [&](db::Connection& c, v1::Call& current) -> absl::Status {
                            RETURN_IF_ERROR(MayManageCall(call.principal, current));
                            ASSIGN_OR_RETURN(auto domain, CallShapeFromProto(current));
                            auto next = review::Transition(domain, to);
                            if (!next.ok()) return next.status();
                            if (extra) {
                              RETURN_IF_ERROR(extra(c, current));
                            }
                            current.set_state(CallStateToProto(to));
                            return absl::OkStatus();
                          });
}

absl::Status RecordRuleVersion(const std::vector<ApplicationRules>& rules, v1::Call& call) {
  ASSIGN_OR_RETURN(auto version, ApplicationRulesForYear(rules, call.year()));
  call.set_rule_version((version)->version);
  return absl::OkStatus();
}

}  // namespace handlers

namespace {

const std::set<std::string>& EditableCallFields() {
  static const auto* s = new std::set<std::string>{"display_name",
                                                   "year",
                                                   "directions",
                                                   "opening_date",
                                                   "closing_date",
                                                   "notice_period_days",
                                                   "experts_per_application",
                                                   "criteria",
                                                   "tie_policy"};
  return *s;
}

}  // namespace

grpc::Status ReviewHandlers::CreateCall(grpc::ServerContext* ctx, const v1::CreateCallRequest* req,
                                        v1::Call* resp) {
  return Serve(
      ctx, proof_, FullMethod("CreateCall"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        v.Absorb(CheckRequestId(req->request_id()));
        v1::Call draft = req->call();
        draft.clear_rule_version();  // output only: the version for the call's year
        v.Absorb(ValidateCallDefinition(draft, ref_));
        RETURN_IF_ERROR(v.Finish("征集通知设置有误"));
        RETURN_IF_ERROR(handlers::RecordRuleVersion(application_rules_, draft));
        draft.set_state(v1::DRAFT);
        draft.clear_notice_start_date();
        draft.clear_notice_end_date();
        RETURN_IF_ERROR(MayManageCall(call.principal, draft));
        ASSIGN_OR_RETURN(
            *resp, store_.CreateCall(ChangeOf(call), server::IdempotencyKey(call, *req), draft));
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::GetCall(grpc::ServerContext* ctx, const v1::GetCallRequest* req,
                                     v1::Call* resp) {
  return Serve(ctx, proof_, FullMethod("GetCall"), [&](const server::Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, ParseCallName(req->name(), "name"));
    auto out = store_.GetCall(id);
    if (!out.ok()) return out.status();
    if (out->state() == v1::DRAFT && !call.principal.IsBureau()) {
      return server::Forbidden("CALL_NOT_PUBLISHED", "a DRAFT call is visible to bureaus only",
                               "征集通知尚未发布");
    }
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status ReviewHandlers::UpdateCall(grpc::ServerContext* ctx, const v1::UpdateCallRequest* req,
                                        v1::Call* resp) {
  return Serve(
      ctx, proof_, FullMethod("UpdateCall"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto id = ParseCallName(req->call().name(), "call.name");
        v.Absorb(id.status());
        v.Absorb(CheckVersion(req->call().version(), "call.version"));
        if (req->update_mask().paths().empty()) {
          v.Add("update_mask", "AIP-134", "update_mask must name the fields to change");
        }
        for (const auto& path : req->update_mask().paths()) {
          if (!EditableCallFields().count(path)) {
            v.Add("update_mask", "AIP-134",
                  absl::StrCat("'", path,
                               "' cannot be changed (unknown, output only, or the scope)"));
          }
        }
        RETURN_IF_ERROR(v.Finish());
        auto out = store_.MutateCall(
            ChangeOf(call), *id, req->call().version(),
            [&](db::Connection&, v1::Call& current) -> absl::Status {
              RETURN_IF_ERROR(MayManageCall(call.principal, current));
              if (current.state() != v1::DRAFT) {
                return RuleViolation("CALL_NOT_DRAFT", "R4.1",
                                     "a call can be changed only while it is DRAFT",
                                     "征集通知发布后不能修改");
              }
              google::protobuf::util::FieldMaskUtil::MergeOptions options;
              options.set_replace_message_fields(true);
              options.set_replace_repeated_fields(true);
              google::protobuf::util::FieldMaskUtil::MergeMessageTo(req->call(), req->update_mask(),
                                                                    options, &current);
              // A DRAFT call follows its (possibly new) year's rules.
              current.clear_rule_version();
              if (auto s = ValidateCallDefinition(current, ref_); !s.ok()) {
                return s;
              }
              return handlers::RecordRuleVersion(application_rules_, current);
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ListCalls(grpc::ServerContext* ctx, const v1::ListCallsRequest* req,
                                       v1::ListCallsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListCalls"), [&](const server::Call& call) -> absl::Status {
    Violations v;
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto before = AfterId(req->page_token());
    v.Absorb(before.status());
    if (req->year() < 0 || req->year() > 2100) v.Add("year", "FORMAT", "year out of range");
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto rows,
                     store_.ListCalls(req->year(), call.principal.IsBureau(), *before, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      *resp->add_calls() = std::move((rows)[i]);
    }
    if (static_cast<int>(rows.size()) > *size) {
      const std::string& last = resp->calls(*size - 1).name();
      resp->set_next_page_token(db::EncodePageToken(last.substr(last.rfind('/') + 1)));
    }
    return absl::OkStatus();
  });
}

grpc::Status ReviewHandlers::OpenCall(grpc::ServerContext* ctx, const v1::OpenCallRequest* req,
                                      v1::Call* resp) {
  return Serve(ctx, proof_, FullMethod("OpenCall"), [&](const server::Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
    auto out =
        handlers::MoveCall(store_, call, req->name(), req->version(), CallState::kOpen, nullptr);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status ReviewHandlers::CloseCall(grpc::ServerContext* ctx, const v1::CloseCallRequest* req,
                                       v1::Call* resp) {
  return Serve(ctx, proof_, FullMethod("CloseCall"), [&](const server::Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
    auto out =
        handlers::MoveCall(store_, call, req->name(), req->version(), CallState::kClosed, nullptr);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status ReviewHandlers::StartReview(grpc::ServerContext* ctx,
                                         const v1::StartReviewRequest* req, v1::Call* resp) {
  return Serve(ctx, proof_, FullMethod("StartReview"),
               [&](const server::Call& call) -> absl::Status {
                 if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}); !s.ok())
                   return s;
                 auto out = handlers::MoveCall(
                     store_, call, req->name(), req->version(), CallState::kReviewing,
                     [&](db::Connection& c, v1::Call& current) -> absl::Status {
                       // Decision (R7.1 "experts review the applications that pass R5"):
                       // eligibility must be settled before the review starts, so no manual
                       // decision may still be open.
                       ASSIGN_OR_RETURN(auto id, ParseCallName(current.name(), "name"));
                       auto apps = store_.ApplicationsOfCall(c, id);
                       if (!apps.ok()) return apps.status();
                       std::vector<std::string> pending;
                       for (const auto& a : *apps) {
                         for (const auto& r : a.app.results()) {
                           if (r.eligibility() == v1::PENDING) {
                             pending.push_back(a.app.name());
                             break;
                           }
                         }
                       }
                       if (!pending.empty()) {
                         return RuleViolation(
                             "MANUAL_DECISIONS_PENDING", "R5.1",
                             absl::StrCat("checklist lines still need a bureau decision in: ",
                                          absl::StrJoin(pending, ", ")),
                             "仍有申报的资格审查项待人工认定，不能开始评审");
                       }
                       return absl::OkStatus();
                     });
                 if (!out.ok()) return out.status();
                 *resp = std::move(*out);
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::review
