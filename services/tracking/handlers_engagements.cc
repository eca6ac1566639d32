// Engagements: the report with its eligibility check (R12.1, R14.1-R14.3), reading with
// scoping and confidentiality (R12.2, R14.2), and the audited life cycle.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/domain/engagement.h"
#include "services/tracking/handlers.h"
#include "services/tracking/handlers_util.h"

namespace zhigai::tracking {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

// The proto names the enterprise's acceptance ENTERPRISE_ACCEPTED (proto3 enum values share
// the package scope with AssignmentState.ACCEPTED); the domain calls it ACCEPTED.
std::optional<EngagementState> DomainState(v1::EngagementState s) {
  if (s == v1::ENTERPRISE_ACCEPTED) return EngagementState::kAccepted;
  return ParseEngagementState(v1::EngagementState_Name(s));
}

bool IsSupervisingBureau(const Call& call, const v1::Engagement& e) {
  return call.principal.role == Role::kCityBureau ||
         (call.principal.role == Role::kCountyBureau &&
          call.principal.division_code == e.division_code());
}

bool IsParty(const Call& call, const v1::Engagement& e) {
  return (call.principal.role == Role::kInstitution &&
          call.principal.credit_code == e.institution_credit_code()) ||
         (call.principal.role == Role::kEnterprise &&
          call.principal.credit_code == e.enterprise_credit_code());
}

// R12.1/R12.2 scoping: the city sees all, a county bureau its division, an institution or an
// enterprise its own engagements, zhigai's services all (without confidential documents).
absl::Status MayRead(const Call& call, const v1::Engagement& e) {
  if (IsSupervisingBureau(call, e) || IsParty(call, e) || call.principal.role == Role::kService) {
    return absl::OkStatus();
  }
  if (call.principal.role == Role::kCountyBureau) {
    return server::Forbidden("OUTSIDE_DIVISION",
                             "a county bureau sees only engagements in its own division",
                             "县级经信部门只能查看本辖区的服务项目");
  }
  return server::Forbidden("NOT_OWN_ENGAGEMENT",
                           "only the parties and the supervising bureaus see an engagement",
                           "仅服务双方及主管经信部门可查看该服务项目");
}

// R14.2: a confidential engagement's documents only for the parties and supervising bureaus.
void ApplyConfidentiality(const Call& call, v1::Engagement& e) {
  if (!e.confidential() || IsSupervisingBureau(call, e) || IsParty(call, e)) return;
  e.clear_documents();
  e.clear_confidentiality_agreement_document_id();
  e.set_documents_withheld(true);
}

}  // namespace

grpc::Status TrackingHandlers::ReportEngagement(grpc::ServerContext* ctx,
                                                const v1::ReportEngagementRequest* req,
                                                v1::Engagement* resp) {
  return Serve(ctx, proof_, FullMethod("ReportEngagement"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
    const auto& e = req->engagement();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
    v.Absorb(
        core::ValidateCreditCode(e.enterprise_credit_code(), "engagement.enterprise_credit_code"));
    auto start = wire::ParseBusinessDate(e.start_date(), "engagement.start_date");
    v.Absorb(start.status());
    auto end = wire::ParseBusinessDate(e.planned_end_date(), "engagement.planned_end_date");
    v.Absorb(end.status());
    if (e.planned_deliverables().empty() || e.planned_deliverables_size() > 20) {
      v.Add("engagement.planned_deliverables", "R12.1", "list 1 to 20 planned deliverables");
    }
    for (int i = 0; i < e.planned_deliverables_size(); ++i) {
      v.Absorb(core::ValidateLine(e.planned_deliverables(i),
                                  absl::StrCat("engagement.planned_deliverables[", i, "]"), 1, 200,
                                  "R12.1"));
    }
    v.Absorb(core::ValidateLine(e.confidentiality_agreement_document_id(),
                                "engagement.confidentiality_agreement_document_id", 0, 128,
                                "R14.2"));
    int64_t need_id = 0;
    if (!e.need().empty()) {
      auto id = IdFromName(e.need(), "needs", "engagement.need");
      v.Absorb(id.status());
      if (id.ok()) need_id = *id;
    }
    absl::Status rules = absl::OkStatus();
    if (start.ok() && end.ok()) {
      EngagementReport report;
      report.kind = common::v1::ServiceKind_Name(e.kind());
      report.start = *start;
      report.planned_end = *end;
      report.declares_no_product_push = e.declares_no_product_push();
      report.declares_no_cost_to_enterprise = e.declares_no_cost_to_enterprise();
      report.confidential = e.confidential();
      report.confidentiality_agreement_document_id = e.confidentiality_agreement_document_id();
      rules = ValidateEngagementReport(report);
      // The domain names fields as the report does; the request nests them in "engagement".
      if (rules.code() == absl::StatusCode::kInvalidArgument) {
        for (const auto& f : ViolationsOf(rules)) {
          std::string field = f.field == "planned_end" ? "planned_end_date" : f.field;
          v.Add(absl::StrCat("engagement.", field), f.rule, f.description);
        }
        rules = absl::OkStatus();
      }
    }
    RETURN_IF_ERROR(v.Finish("服务报备信息有误"));
    if (!rules.ok()) return rules;  // R14.1 / R14.3 declarations missing

    // A repeat of a report that was stored is answered as the first time, even while the
    // registry is away.
    std::string key = server::IdempotencyKey(call, *req);
    ASSIGN_OR_RETURN(auto earlier, store_.FindEngagementAnswer(key));
    if (earlier.has_value()) {
      *resp = std::move(*earlier);
      return absl::OkStatus();
    }
    auto enterprise = store_.GetEnterprise(e.enterprise_credit_code());
    if (!enterprise.ok()) {
      if (enterprise.status().code() != absl::StatusCode::kNotFound) return enterprise.status();
      return RuleViolation("ENTERPRISE_NOT_REGISTERED", "R12.1",
                           "register the enterprise first: its division decides the supervising "
                           "bureau",
                           "请先登记企业信息（其所在区县决定报备的主管部门）");
    }
    auto answer =
        eligibility_.Check({call.principal.credit_code, common::v1::ServiceKind_Name(e.kind()),
                            wire::DateText(e.start_date()), enterprise->division_code()});
    if (!answer.ok()) return answer.status();
    if (!answer->eligible) return NotEligible(*answer);

    v1::Engagement in = e;
    in.set_institution_credit_code(call.principal.credit_code);
    in.set_division_code(enterprise->division_code());
    in.clear_documents();
    in.clear_history();
    in.clear_cancel_reason();
    in.clear_documents_withheld();
    in.clear_eligibility_entries();
    for (const auto& entry : answer->entries) in.add_eligibility_entries(entry);
    ASSIGN_OR_RETURN(*resp, store_.ReportEngagement(ChangeOf(call), key, std::move(in), need_id));
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::GetEngagement(grpc::ServerContext* ctx,
                                             const v1::GetEngagementRequest* req,
                                             v1::Engagement* resp) {
  return Serve(ctx, proof_, FullMethod("GetEngagement"), [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "engagements", "name"));
    auto out = store_.GetEngagement(id);
    if (!out.ok()) return out.status();
    RETURN_IF_ERROR(MayRead(call, *out));
    ApplyConfidentiality(call, *out);
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::ListEngagements(grpc::ServerContext* ctx,
                                               const v1::ListEngagementsRequest* req,
                                               v1::ListEngagementsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListEngagements"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution,
                                       Role::kEnterprise, Role::kService}));
    Violations v;
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    if (!v1::EngagementState_IsValid(req->state())) v.Add("state", "FORMAT", "unknown state");
    if (!req->institution_credit_code().empty()) {
      v.Absorb(core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
    }
    if (!req->enterprise_credit_code().empty()) {
      v.Absorb(core::ValidateCreditCode(req->enterprise_credit_code(), "enterprise_credit_code"));
    }
    RETURN_IF_ERROR(v.Finish());
    EngagementFilter f{
        req->division_code(), req->institution_credit_code(), req->enterprise_credit_code(),
        req->state() == v1::ENGAGEMENT_STATE_UNSPECIFIED ? std::string()
                                                         : v1::EngagementState_Name(req->state())};
    switch (call.principal.role) {
      case Role::kCountyBureau:
        if (!f.division_code.empty() && f.division_code != call.principal.division_code) {
          return server::Forbidden("OUTSIDE_DIVISION",
                                   "a county bureau sees only engagements in its own division",
                                   "县级经信部门只能查看本辖区的服务项目");
        }
        f.division_code = call.principal.division_code;
        break;
      case Role::kInstitution:
        f.institution_credit_code = call.principal.credit_code;
        break;
      case Role::kEnterprise:
        f.enterprise_credit_code = call.principal.credit_code;
        break;
      default:
        break;
    }
    ASSIGN_OR_RETURN(auto rows, store_.ListEngagements(f, *after, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      v1::Engagement& e = (rows)[i];
      // Lists are summaries: documents and history are read one engagement at a time.
      e.clear_documents();
      e.clear_history();
      ApplyConfidentiality(call, e);
      *resp->add_engagements() = std::move(e);
    }
    if (static_cast<int>(rows.size()) > *size) {
      const std::string& name = resp->engagements(*size - 1).name();
      resp->set_next_page_token(db::EncodePageToken(name.substr(name.rfind('/') + 1)));
    }
    return absl::OkStatus();
  });
}

grpc::Status TrackingHandlers::UpdateEngagementProgress(
    grpc::ServerContext* ctx, const v1::UpdateEngagementProgressRequest* req,
    v1::Engagement* resp) {
  return Serve(
      ctx, proof_, FullMethod("UpdateEngagementProgress"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(
            call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kEnterprise}));
        Violations v;
        auto id = IdFromName(req->name(), "engagements", "name");
        v.Absorb(id.status());
        auto to = DomainState(req->state());
        if (!to.has_value() || !v1::EngagementState_IsValid(req->state())) {
          v.Add("state", "R12.1",
                "state must be IN_PROGRESS, DELIVERED, ENTERPRISE_ACCEPTED or CANCELLED");
        }
        v.Absorb(core::ValidateText(req->cancel_reason(), "cancel_reason", 0, 1000, "R12.1"));
        v.Absorb(core::ValidateText(req->note(), "note", 0, 1000, "FORMAT"));
        if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
        RETURN_IF_ERROR(v.Finish());
        auto out = store_.UpdateEngagement(
            ChangeOf(call), *id, req->version(),
            [&](const v1::Engagement& current) -> absl::StatusOr<v1::Engagement> {
              RETURN_IF_ERROR(MayRead(call, current));
              // Who takes which step: the institution does the work, the enterprise accepts it,
              // the institution or a supervising bureau may cancel.
              bool institution = call.principal.role == Role::kInstitution;
              bool allowed = *to == EngagementState::kAccepted
                                 ? call.principal.role == Role::kEnterprise
                             : *to == EngagementState::kCancelled
                                 ? institution || IsSupervisingBureau(call, current)
                                 : institution;
              if (!allowed) {
                return server::Forbidden("STEP_NOT_YOURS",
                                         absl::StrCat(auth::RoleName(call.principal.role),
                                                      " may not move an engagement to ",
                                                      v1::EngagementState_Name(req->state())),
                                         "当前角色不能执行此服务状态变更");
              }
              auto from = DomainState(current.state());
              if (!from.has_value()) return absl::InternalError("stored engagement state unknown");
              if (auto s = CheckEngagementTransition(*from, *to, req->cancel_reason()); !s.ok()) {
                return s;
              }
              v1::Engagement next = current;
              next.set_state(req->state());
              if (*to == EngagementState::kCancelled) next.set_cancel_reason(req->cancel_reason());
              auto* event = next.add_history();
              event->set_from_state(current.state());
              event->set_to_state(req->state());
              event->set_note(*to == EngagementState::kCancelled ? req->cancel_reason()
                                                                 : req->note());
              return next;
            });
        if (!out.ok()) return out.status();
        ApplyConfidentiality(call, *out);
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status TrackingHandlers::AddEngagementDocument(grpc::ServerContext* ctx,
                                                     const v1::AddEngagementDocumentRequest* req,
                                                     v1::Engagement* resp) {
  return Serve(
      ctx, proof_, FullMethod("AddEngagementDocument"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        Violations v;
        auto id = IdFromName(req->name(), "engagements", "name");
        v.Absorb(id.status());
        v.Absorb(CheckRequestId(req->request_id()));
        v.Absorb(core::ValidateLine(req->document().document_id(), "document.document_id", 1, 128,
                                    "FORMAT"));
        v.Absorb(core::ValidateLine(req->document().title(), "document.title", 1, 200, "FORMAT"));
        RETURN_IF_ERROR(v.Finish());
        std::string now = Now();
        auto out = store_.UpdateEngagement(
            ChangeOf(call), *id, 0,
            [&](const v1::Engagement& current) -> absl::StatusOr<v1::Engagement> {
              if (call.principal.credit_code != current.institution_credit_code()) {
                return server::Forbidden("NOT_OWN_ENGAGEMENT",
                                         "only the reporting institution adds documents",
                                         "仅报备的服务机构可上传文件");
              }
              if (current.state() == v1::CANCELLED) {
                return RuleViolation("ENGAGEMENT_CANCELLED", "R12.1",
                                     "a cancelled engagement takes no more documents",
                                     "已取消的服务项目不能再添加文件");
              }
              v1::Engagement next = current;
              auto* d = next.add_documents();
              *d = req->document();
              if (auto ts = wire::TimestampFromText(now)) *d->mutable_add_time() = *ts;
              return next;
            },
            // The key names the engagement too: one request id reused on another engagement is a
            // different request.
            server::IdempotencyKey(call, absl::StrCat(req->name(), "|", req->request_id()), *req,
                                   "request_id"));
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::tracking
