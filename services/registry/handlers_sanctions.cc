// The registry's handlers for sanctions.
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/registry/eligibility.h"
#include "services/registry/handlers.h"
#include "services/registry/handlers_util.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

grpc::Status RegistryHandlers::ImposeSanction(grpc::ServerContext* ctx,
                                              const v1::ImposeSanctionRequest* req,
                                              v1::Sanction* resp) {
  return Serve(ctx, proof_, FullMethod("ImposeSanction"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kService}));
    Violations v;
    v.Absorb(CheckRequestId(req->command_id(), "command_id", 128));
    v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    if (req->kind() == v1::SANCTION_KIND_UNSPECIFIED || !v1::SanctionKind_IsValid(req->kind())) {
      v.Add("kind", "R14.4", "kind must be CANCEL (R14.4) or BAR (R14.5)");
    }
    auto start = wire::ParseBusinessDate(req->start_date(), "start_date");
    v.Absorb(start.status());
    v.Absorb(core::ValidateLine(req->source_reference(), "source_reference", 1, 500, "R14.5"));
    v.Absorb(core::ValidateText(req->reason(), "reason", 0, 1000, "FORMAT"));
    RETURN_IF_ERROR(v.Finish());
    // Issue 26: the term is the one of the rules in force on the first day, and the sanction
    // records that version.
    ASSIGN_OR_RETURN(const core::SanctionRules* terms,
                     core::SanctionRulesOn(sanction_rules_, *start));
    ASSIGN_OR_RETURN(
        *resp, store_.ImposeSanction(
                   ChangeOf(call),
                   server::IdempotencyKey(call, *req, "command_id", /*scope_by_caller=*/false),
                   *req, *start, SanctionLastDay(req->kind(), *start, *terms), terms->version));
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::LiftSanction(grpc::ServerContext* ctx,
                                            const v1::LiftSanctionRequest* req,
                                            v1::Sanction* resp) {
  return Serve(ctx, proof_, FullMethod("LiftSanction"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    auto id = IdFromName(req->name(), "sanctions", "name");
    v.Absorb(id.status());
    v.Absorb(core::ValidateText(req->reason(), "reason", 1, 500, "FORMAT"));
    if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(*resp,
                     store_.LiftSanction(ChangeOf(call), *id, req->version(), req->reason()));
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListSanctions(grpc::ServerContext* ctx,
                                             const v1::ListSanctionsRequest* req,
                                             v1::ListSanctionsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListSanctions"), [&](const Call& call) -> absl::Status {
    bool own = call.principal.role == Role::kInstitution &&
               call.principal.credit_code == req->credit_code();
    if (!own) {
      RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    }
    Violations v;
    if (!req->credit_code().empty())
      v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    if (req->year() != 0) v.Absorb(CheckYear(req->year(), "year"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto rows,
                     store_.ListSanctions(req->credit_code(), req->year(), *after, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      v1::Sanction* out = resp->add_sanctions();
      *out = std::move((rows)[i]);
      // Who lifted it is a bureau user's sign-in id: bureaus and the system only.
      if (!call.principal.IsBureau() && call.principal.role != Role::kService) {
        out->clear_lifted_by();
      }
    }
    if (static_cast<int>(rows.size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->sanctions(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

}  // namespace zhigai::registry
