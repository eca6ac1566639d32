// The registry's handlers for institutions and consortia.
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "services/registry/handlers.h"
#include "services/registry/handlers_util.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

grpc::Status RegistryHandlers::CreateInstitution(grpc::ServerContext* ctx,
                                                 const v1::CreateInstitutionRequest* req,
                                                 v1::Institution* resp) {
  return Serve(ctx, proof_, FullMethod("CreateInstitution"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(
        call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService}));
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
    v.Absorb(institution::ValidateInstitution(req->institution(), ref_));
    RETURN_IF_ERROR(v.Finish());
    if (call.principal.role == Role::kInstitution &&
        call.principal.credit_code != req->institution().credit_code()) {
      return server::Forbidden("NOT_OWN_INSTITUTION",
                               "an institution may register only its own credit code",
                               "机构只能登记本单位");
    }
    // The same scope on create as on update: a county bureau acts within its division.
    RETURN_IF_ERROR(WithinCountyDivision(
        call, req->institution().registered_address().division_code(), "register"));
    ASSIGN_OR_RETURN(*resp,
                     store_.CreateInstitution(ChangeOf(call), server::IdempotencyKey(call, *req),
                                              req->institution()));
    if (!institution::MaySeePersonalData(call.principal, resp->credit_code()))
      institution::RedactPersonalData(resp);
    return absl::OkStatus();
  });
}

absl::Status RegistryHandlers::AnswerGetInstitution(const Call& call,
                                                    const v1::GetInstitutionRequest& req,
                                                    v1::Institution* resp, core::Io io) {
  ASSIGN_OR_RETURN(auto code, CodeFromName(req.name(), "name"));
  auto out = store_.GetInstitution(code, io);
  if (!out.ok()) return out.status();
  if (!institution::MaySeePersonalData(call.principal, code))
    institution::RedactPersonalData(&*out);
  *resp = std::move(*out);
  return absl::OkStatus();
}

grpc::Status RegistryHandlers::UpdateInstitution(grpc::ServerContext* ctx,
                                                 const v1::UpdateInstitutionRequest* req,
                                                 v1::Institution* resp) {
  return Serve(ctx, proof_, FullMethod("UpdateInstitution"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(
        RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution}));
    ASSIGN_OR_RETURN(auto code, CodeFromName(req->institution().name(), "institution.name"));
    if (req->institution().version() <= 0) {
      return InvalidField("institution.version", "AIP-154",
                          "send the version you read (optimistic concurrency)",
                          "请提供读取时的版本号");
    }
    if (call.principal.role == Role::kInstitution && call.principal.credit_code != code) {
      return server::Forbidden("NOT_OWN_INSTITUTION", "an institution may edit only itself",
                               "机构只能修改本单位信息");
    }
    auto out = store_.UpdateInstitution(
        ChangeOf(call), code, req->institution().version(),
        [&](const v1::Institution& current) -> absl::StatusOr<v1::Institution> {
          // A county bureau looks after institutions registered in its own division.
          if (auto s =
                  WithinCountyDivision(call, current.registered_address().division_code(), "edit");
              !s.ok()) {
            return s;
          }
          auto next = institution::ApplyUpdate(current, req->institution(), req->update_mask(),
                                               call.principal);
          if (!next.ok()) return next.status();
          RETURN_IF_ERROR(institution::ValidateInstitution(*next, ref_));
          return next;
        });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListInstitutions(grpc::ServerContext* ctx,
                                                const v1::ListInstitutionsRequest* req,
                                                v1::ListInstitutionsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListInstitutions"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    Violations v;
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    v.Absorb(core::ValidateLine(req->display_name_contains(), "display_name_contains", 0, 100,
                                "FORMAT"));
    // An unknown filter value is refused, never dropped: a dropped filter widens the answer.
    if (!common::v1::Direction_IsValid(req->direction())) {
      v.Add("direction", "FORMAT", "unknown direction");
    }
    if (!v1::LegalForm_IsValid(req->legal_form()))
      v.Add("legal_form", "FORMAT", "unknown legal form");
    if (!req->division_code().empty()) {
      v.Absorb(ref_.divisions.ValidateDivision(req->division_code(), "division_code"));
    }
    RETURN_IF_ERROR(v.Finish());
    InstitutionFilter filter{req->display_name_contains(), req->division_code(),
                             req->direction() == common::v1::DIRECTION_UNSPECIFIED
                                 ? ""
                                 : common::v1::Direction_Name(req->direction()),
                             req->legal_form() == v1::LEGAL_FORM_UNSPECIFIED
                                 ? ""
                                 : v1::LegalForm_Name(req->legal_form())};
    ASSIGN_OR_RETURN(auto rows, store_.ListInstitutions(filter, *after, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      v1::Institution* in = resp->add_institutions();
      *in = std::move((rows)[i]);
      if (!institution::MaySeePersonalData(call.principal, in->credit_code()))
        institution::RedactPersonalData(in);
    }
    if (static_cast<int>(rows.size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(resp->institutions(*size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListInstitutionRevisions(
    grpc::ServerContext* ctx, const v1::ListInstitutionRevisionsRequest* req,
    v1::ListInstitutionRevisionsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListInstitutionRevisions"), [&](const Call& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto code, CodeFromName(req->name(), "name"));
        if (!institution::MaySeePersonalData(call.principal, code)) {
          return server::Forbidden("NOT_OWN_INSTITUTION",
                                   "the change history is for bureaus and the institution itself",
                                   "变更记录仅限经信部门和机构本身查看");
        }
        auto size = db::PageSize(req->page_size());
        if (!size.ok()) return size.status();
        auto after = AfterId(req->page_token());
        if (!after.ok()) return after.status();
        int64_t before = *after == 0 ? INT64_MAX : *after;
        auto rows = store_.ListRevisions(code, before, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_revisions() = std::move((*rows)[i]);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(
              absl::StrCat(resp->revisions(*size - 1).institution().version())));
        }
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::CreateConsortium(grpc::ServerContext* ctx,
                                                const v1::CreateConsortiumRequest* req,
                                                v1::Consortium* resp) {
  return Serve(ctx, proof_, FullMethod("CreateConsortium"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(
        call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService}));
    const auto& c = req->consortium();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
    v.Absorb(core::ValidateLine(c.display_name(), "consortium.display_name", 1, 100, "FORMAT"));
    v.Absorb(core::ValidateCreditCode(c.lead_credit_code(), "consortium.lead_credit_code"));
    if (c.members_size() < 2) {
      v.Add("consortium.members", "R5.1", "a consortium has a lead and at least one other member");
    }
    std::set<std::string> codes;
    bool lead_is_member = false;
    for (int i = 0; i < c.members_size(); ++i) {
      const auto& m = c.members(i);
      std::string path = absl::StrCat("consortium.members[", i, "]");
      v.Absorb(core::ValidateCreditCode(m.credit_code(), path + ".credit_code"));
      v.Absorb(core::ValidateLine(m.display_name(), path + ".display_name", 1, 100, "FORMAT"));
      if (m.role() == v1::MEMBER_ROLE_UNSPECIFIED || !v1::MemberRole_IsValid(m.role())) {
        v.Add(path + ".role", "R5.1", "role must be ENGINEERING_SERVICE or SOLUTION_SUPPLIER");
      }
      if (!codes.insert(m.credit_code()).second) {
        v.Add(path + ".credit_code", "R5.1", "every member has its own credit code");
      }
      lead_is_member |= m.credit_code() == c.lead_credit_code();
    }
    if (!lead_is_member) v.Add("consortium.lead_credit_code", "R5.1", "the lead must be a member");
    RETURN_IF_ERROR(v.Finish("联合体信息有误"));
    if (call.principal.role == Role::kInstitution &&
        call.principal.credit_code != c.lead_credit_code()) {
      return server::Forbidden("NOT_CONSORTIUM_LEAD", "only the lead member registers a consortium",
                               "联合体须由牵头单位登记");
    }
    if (call.principal.role == Role::kCountyBureau) {
      ASSIGN_OR_RETURN(auto lead, store_.GetInstitution(c.lead_credit_code()));
      RETURN_IF_ERROR(WithinCountyDivision(call, lead.registered_address().division_code(),
                                           "register consortia led by"));
    }
    ASSIGN_OR_RETURN(
        *resp, store_.CreateConsortium(ChangeOf(call), server::IdempotencyKey(call, *req), c));
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::GetConsortium(grpc::ServerContext* ctx,
                                             const v1::GetConsortiumRequest* req,
                                             v1::Consortium* resp) {
  return Serve(ctx, proof_, FullMethod("GetConsortium"), [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "consortia", "name"));
    ASSIGN_OR_RETURN(*resp, store_.GetConsortium(id));
    return absl::OkStatus();
  });
}

}  // namespace zhigai::registry
