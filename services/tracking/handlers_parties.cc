// Enterprises and their needs, with the bureau's assignment (R12.2).
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/domain/need.h"
#include "services/tracking/handlers.h"
#include "services/tracking/handlers_util.h"

namespace zhigai::tracking {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

absl::Status OutsideDivision(absl::string_view what) {
  return server::Forbidden("OUTSIDE_DIVISION",
                           absl::StrCat("a county bureau sees only its own division's ", what),
                           "县级经信部门只能查看和管理本辖区数据");
}

// Who may see or act for an enterprise: bureaus (a county only in its division), the
// enterprise itself, zhigai's services. Institutions may read enterprises (they find them
// themselves, R12.1) but not their needs unless assigned.
absl::Status MayActForEnterprise(const Call& call, const std::string& code,
                                 const std::string& division) {
  switch (call.principal.role) {
    case Role::kCityBureau:
    case Role::kService:
      return absl::OkStatus();
    case Role::kCountyBureau:
      return division == call.principal.division_code ? absl::OkStatus()
                                                      : OutsideDivision("enterprises");
    case Role::kEnterprise:
      if (call.principal.credit_code == code) return absl::OkStatus();
      return server::Forbidden("NOT_OWN_ENTERPRISE", "an enterprise acts only for itself",
                               "企业只能处理本企业事务");
    default:
      return RequireRole(
          call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise, Role::kService});
  }
}

absl::Status MayReadNeed(const Call& call, const v1::Need& need) {
  if (call.principal.role == Role::kInstitution) {
    for (const auto& a : need.assignments()) {
      if (a.institution_credit_code() == call.principal.credit_code) return absl::OkStatus();
    }
    return server::Forbidden("NOT_ASSIGNED_INSTITUTION",
                             "an institution sees only needs assigned to it",
                             "服务机构只能查看调配给本机构的需求");
  }
  return MayActForEnterprise(call, need.enterprise_credit_code(), need.division_code());
}

NeedState DomainNeed(v1::NeedState s) {
  return ParseNeedState(v1::NeedState_Name(s)).value_or(NeedState::kClosed);
}
// Switches, not name lookups: a state added to the domain and not here fails to compile
// (-Wswitch) instead of reaching callers as UNSPECIFIED.
v1::NeedState ProtoNeed(NeedState s) {
  switch (s) {
    case NeedState::kOpen:
      return v1::OPEN;
    case NeedState::kAssigned:
      return v1::ASSIGNED;
    case NeedState::kServed:
      return v1::SERVED;
    case NeedState::kClosed:
      return v1::CLOSED;
  }
  return v1::NEED_STATE_UNSPECIFIED;
}
v1::AssignmentState ProtoAssignment(AssignmentState s) {
  switch (s) {
    case AssignmentState::kPending:
      return v1::PENDING;
    case AssignmentState::kAccepted:
      return v1::ACCEPTED;
    case AssignmentState::kDeclined:
      return v1::DECLINED;
  }
  return v1::ASSIGNMENT_STATE_UNSPECIFIED;
}
AssignmentState DomainAssignment(v1::AssignmentState s) {
  return ParseAssignmentState(v1::AssignmentState_Name(s)).value_or(AssignmentState::kDeclined);
}

}  // namespace

std::string TrackingHandlers::Now() const { return core::FormatTimestamp(clock_()); }

grpc::Status TrackingHandlers::CreateEnterprise(grpc::ServerContext* ctx,
                                                const v1::CreateEnterpriseRequest* req,
                                                v1::Enterprise* resp) {
  return Serve(ctx, proof_, FullMethod("CreateEnterprise"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                       Role::kInstitution, Role::kService}));
    const auto& e = req->enterprise();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
    v.Absorb(core::ValidateCreditCode(e.credit_code(), "enterprise.credit_code"));
    v.Absorb(core::ValidateLine(e.display_name(), "enterprise.display_name", 1, 100, "FORMAT"));
    v.Absorb(
        ref_.divisions.ValidateCountyLevelDivision(e.division_code(), "enterprise.division_code"));
    if (!e.industry_code().empty()) {
      v.Absorb(ref_.industries.ValidateCode(e.industry_code(), "enterprise.industry_code"));
      if (!e.industry_other().empty()) {
        v.Add("enterprise.industry_other", "FORMAT",
              "industry_other is only for an industry outside the \"5+5\" list");
      }
    } else {
      v.Absorb(
          core::ValidateLine(e.industry_other(), "enterprise.industry_other", 1, 100, "FORMAT"));
    }
    if (e.size() == v1::ENTERPRISE_SIZE_UNSPECIFIED || !v1::EnterpriseSize_IsValid(e.size())) {
      v.Add("enterprise.size", "FORMAT", "size must be LARGE, MEDIUM, SMALL or MICRO");
    }
    RETURN_IF_ERROR(v.Finish("企业信息有误"));
    if (call.principal.role != Role::kInstitution) {
      if (auto s = MayActForEnterprise(call, e.credit_code(), e.division_code()); !s.ok()) {
        return s;
      }
    }
    ASSIGN_OR_RETURN(
        *resp, store_.CreateEnterprise(ChangeOf(call), server::IdempotencyKey(call, *req), e));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetEnterprise(grpc::ServerContext* ctx,
                                             const v1::GetEnterpriseRequest* req,
                                             v1::Enterprise* resp) {
  return Serve(ctx, proof_, FullMethod("GetEnterprise"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                       Role::kInstitution, Role::kService}));
    ASSIGN_OR_RETURN(auto code, CodeFromName(req->name(), "enterprises", "name"));
    auto out = store_.GetEnterprise(code);
    if (!out.ok()) return out.status();
    if (call.principal.role != Role::kInstitution) {
      RETURN_IF_ERROR(MayActForEnterprise(call, code, out->division_code()));
    }
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::ListEnterprises(grpc::ServerContext* ctx,
                                               const v1::ListEnterprisesRequest* req,
                                               v1::ListEnterprisesResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListEnterprises"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    ASSIGN_OR_RETURN(auto size, db::PageSize(req->page_size()));
    auto after = db::DecodePageToken(req->page_token());
    if (!after.ok()) return after.status();
    std::string division = req->division_code();
    if (call.principal.role == Role::kCountyBureau) {
      if (!division.empty() && division != call.principal.division_code) {
        return OutsideDivision("enterprises");
      }
      division = call.principal.division_code;
    }
    auto rows = store_.ListEnterprises(division, *after, size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < size; ++i) {
      *resp->add_enterprises() = std::move((*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > size) {
      resp->set_next_page_token(db::EncodePageToken(resp->enterprises(size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::CreateNeed(grpc::ServerContext* ctx,
                                          const v1::CreateNeedRequest* req, v1::Need* resp) {
  return Serve(ctx, proof_, FullMethod("CreateNeed"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(
        call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise, Role::kService}));
    const auto& n = req->need();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
    v.Absorb(core::ValidateCreditCode(n.enterprise_credit_code(), "need.enterprise_credit_code"));
    v.Absorb(core::ValidateText(n.description(), "need.description", 1, 2000, "R12.2"));
    if (n.service_kind() != common::v1::SERVICE_KIND_UNSPECIFIED &&
        n.service_kind() != common::v1::DIAGNOSIS &&
        n.service_kind() != common::v1::SOLUTION_DESIGN) {
      v.Add("need.service_kind", "R3.1", "a need asks for DIAGNOSIS or SOLUTION_DESIGN, or either");
    }
    RETURN_IF_ERROR(v.Finish("需求信息有误"));
    auto enterprise = store_.GetEnterprise(n.enterprise_credit_code());
    if (!enterprise.ok()) {
      if (enterprise.status().code() != absl::StatusCode::kNotFound) return enterprise.status();
      return RuleViolation("ENTERPRISE_NOT_REGISTERED", "R12.2",
                           "the enterprise must be registered before it records a need",
                           "企业须先登记");
    }
    RETURN_IF_ERROR(
        MayActForEnterprise(call, n.enterprise_credit_code(), enterprise->division_code()));
    ASSIGN_OR_RETURN(*resp,
                     store_.CreateNeed(ChangeOf(call), server::IdempotencyKey(call, *req), n));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetNeed(grpc::ServerContext* ctx, const v1::GetNeedRequest* req,
                                       v1::Need* resp) {
  return Serve(ctx, proof_, FullMethod("GetNeed"), [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "needs", "name"));
    auto out = store_.GetNeed(id);
    if (!out.ok()) return out.status();
    RETURN_IF_ERROR(MayReadNeed(call, *out));
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::ListNeeds(grpc::ServerContext* ctx, const v1::ListNeedsRequest* req,
                                         v1::ListNeedsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListNeeds"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                       Role::kInstitution, Role::kService}));
    Violations v;
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    if (!v1::NeedState_IsValid(req->state())) v.Add("state", "FORMAT", "unknown state");
    if (!req->enterprise_credit_code().empty()) {
      v.Absorb(core::ValidateCreditCode(req->enterprise_credit_code(), "enterprise_credit_code"));
    }
    RETURN_IF_ERROR(v.Finish());
    NeedFilter f;
    f.enterprise_credit_code = req->enterprise_credit_code();
    if (req->state() != v1::NEED_STATE_UNSPECIFIED) f.state = v1::NeedState_Name(req->state());
    // Scoping: each role sees only its own rows, whatever the filters say.
    switch (call.principal.role) {
      case Role::kCountyBureau:
        f.division_code = call.principal.division_code;
        break;
      case Role::kEnterprise:
        f.enterprise_credit_code = call.principal.credit_code;
        break;
      case Role::kInstitution:
        f.assignee = call.principal.credit_code;
        break;
      default:
        break;
    }
    ASSIGN_OR_RETURN(auto rows, store_.ListNeeds(f, *after, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      *resp->add_needs() = std::move((rows)[i]);
    }
    if (static_cast<int>(rows.size()) > *size) {
      const std::string& name = resp->needs(*size - 1).name();
      resp->set_next_page_token(db::EncodePageToken(name.substr(name.rfind('/') + 1)));
    }
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::AssignNeed(grpc::ServerContext* ctx,
                                          const v1::AssignNeedRequest* req, v1::Need* resp) {
  return Serve(ctx, proof_, FullMethod("AssignNeed"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
    Violations v;
    auto id = IdFromName(req->name(), "needs", "name");
    v.Absorb(id.status());
    v.Absorb(core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
    if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
    RETURN_IF_ERROR(v.Finish());
    // The assigned institution is one the registry knows and that may serve the need's
    // enterprise today (R12.2 with R4.1, R14.4, R14.5): asked before anything is locked.
    ASSIGN_OR_RETURN(auto need, store_.GetNeed(*id));
    RETURN_IF_ERROR(MayActForEnterprise(call, need.enterprise_credit_code(), need.division_code()));
    const std::string kind =
        need.service_kind() == common::v1::SOLUTION_DESIGN ? "SOLUTION_DESIGN" : "DIAGNOSIS";
    auto answer =
        eligibility_.Check({req->institution_credit_code(), kind,
                            core::FormatDate(core::BusinessDayOf(clock_())), need.division_code()});
    if (!answer.ok()) return answer.status();
    for (const auto& r : answer->reasons) {
      if (r.reason == "UNKNOWN_INSTITUTION") {
        return Error(absl::StatusCode::kNotFound, "INSTITUTION_NOT_REGISTERED",
                     absl::StrCat("institution_credit_code: no institution ",
                                  req->institution_credit_code(), " is registered (R2.1)"),
                     absl::StrCat("未登记的服务机构：", req->institution_credit_code()), "R2.1");
      }
    }
    if (!answer->eligible) return NotEligible(*answer);
    std::string now = Now();
    auto out = store_.UpdateNeed(
        ChangeOf(call), *id, req->version(),
        [&](const v1::Need& current) -> absl::StatusOr<v1::Need> {
          RETURN_IF_ERROR(
              MayActForEnterprise(call, current.enterprise_credit_code(), current.division_code()));
          RETURN_IF_ERROR(CheckCanAssign(DomainNeed(current.state())));
          RETURN_IF_ERROR(CheckNeedTransition(DomainNeed(current.state()), NeedState::kAssigned));
          v1::Need next = current;
          next.set_state(ProtoNeed(NeedState::kAssigned));
          auto* a = next.add_assignments();
          a->set_institution_credit_code(req->institution_credit_code());
          a->set_state(ProtoAssignment(AssignmentState::kPending));
          a->set_assigned_by(call.principal.subject);
          if (auto ts = wire::TimestampFromText(now)) *a->mutable_assign_time() = *ts;
          return next;
        });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::RespondToAssignment(grpc::ServerContext* ctx,
                                                   const v1::RespondToAssignmentRequest* req,
                                                   v1::Need* resp) {
  return Serve(
      ctx, proof_, FullMethod("RespondToAssignment"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        Violations v;
        auto id = IdFromName(req->name(), "needs", "name");
        v.Absorb(id.status());
        v.Absorb(core::ValidateText(req->decline_reason(), "decline_reason", 0, 1000, "R12.2"));
        if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
        RETURN_IF_ERROR(v.Finish());
        std::string now = Now();
        auto out = store_.UpdateNeed(
            ChangeOf(call), *id, req->version(),
            [&](const v1::Need& current) -> absl::StatusOr<v1::Need> {
              AssignmentFacts facts;
              facts.need = DomainNeed(current.state());
              if (current.assignments().empty()) {
                facts.assignment = AssignmentState::kDeclined;  // nothing pending to answer
              } else {
                const auto& last = *current.assignments().rbegin();
                facts.assignment = DomainAssignment(last.state());
                facts.institution_credit_code = last.institution_credit_code();
              }
              ASSIGN_OR_RETURN(auto result, tracking::RespondToAssignment(
                                                facts, call.principal.credit_code,
                                                req->accept() ? AssignmentResponse::kAccept
                                                              : AssignmentResponse::kDecline,
                                                req->decline_reason()));
              v1::Need next = current;
              next.set_state(ProtoNeed(result.need));
              auto* last = next.mutable_assignments(next.assignments_size() - 1);
              last->set_state(ProtoAssignment(result.assignment));
              if (!req->accept()) last->set_decline_reason(req->decline_reason());
              if (auto ts = wire::TimestampFromText(now)) *last->mutable_answer_time() = *ts;
              return next;
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::tracking
