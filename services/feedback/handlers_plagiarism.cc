// The feedback service's handlers for plagiarism findings.

#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/feedback/domain/plagiarism.h"
#include "services/feedback/handlers.h"
#include "services/feedback/handlers_util.h"

namespace zhigai::feedback {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

namespace {

// Bureaus and zhigai's services read every finding; an institution reads its own, without the
// staff member who recorded it (a sign-in id).
absl::Status ShowFinding(const Call& call, v1::PlagiarismFinding* f) {
  switch (call.principal.role) {
    case Role::kCityBureau:
    case Role::kCountyBureau:
    case Role::kService:
      return absl::OkStatus();
    case Role::kInstitution:
      if (call.principal.credit_code.empty() ||
          call.principal.credit_code != f->institution_credit_code()) {
        return NotYours("plagiarism finding");
      }
      f->clear_recorded_by();
      return absl::OkStatus();
    default:
      return RequireRole(
          call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService});
  }
}

}  // namespace

grpc::Status FeedbackHandlers::GetPlagiarismFinding(grpc::ServerContext* ctx,
                                                    const v1::GetPlagiarismFindingRequest* req,
                                                    v1::PlagiarismFinding* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("GetPlagiarismFinding"),
               [&](const Call& call) -> absl::Status {
                 ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "plagiarismFindings", "name"));
                 auto out = d_.store.GetPlagiarismFinding(id);
                 if (!out.ok()) return out.status();
                 RETURN_IF_ERROR(ShowFinding(call, &*out));
                 *resp = std::move(*out);
                 return absl::OkStatus();
               });
}

grpc::Status FeedbackHandlers::ListPlagiarismFindings(grpc::ServerContext* ctx,
                                                      const v1::ListPlagiarismFindingsRequest* req,
                                                      v1::ListPlagiarismFindingsResponse* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("ListPlagiarismFindings"),
      [&](const Call& call) -> absl::Status {
        Violations v;
        std::string institution = req->institution_credit_code();
        if (!institution.empty()) {
          v.Absorb(core::ValidateCreditCode(institution, "institution_credit_code"));
        }
        if (req->year() != 0 && (req->year() < 2000 || req->year() > 2100)) {
          v.Add("year", "FORMAT", "year must lie between 2000 and 2100 (0 = every year)");
        }
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        if (call.principal.role == Role::kInstitution) {
          RETURN_IF_ERROR(
              ScopeFilter(call.principal.credit_code, &institution, "plagiarism finding"));
        }
        ASSIGN_OR_RETURN(auto rows, d_.store.ListPlagiarismFindings(institution, req->year(),
                                                                    *after, *size + 1));
        for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
          v1::PlagiarismFinding& f = (rows)[i];
          RETURN_IF_ERROR(ShowFinding(call, &f));  // the filter already scoped it
          *resp->add_findings() = std::move(f);
        }
        if (static_cast<int>(rows.size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(IdOf(resp->findings(*size - 1).name())));
        }
        return absl::OkStatus();
      });
}

grpc::Status FeedbackHandlers::RecordPlagiarismFinding(
    grpc::ServerContext* ctx, const v1::RecordPlagiarismFindingRequest* req,
    v1::PlagiarismFinding* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("RecordPlagiarismFinding"),
      [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
        v1::PlagiarismFinding f = req->finding();
        Violations v;
        v.Absorb(CheckRequestId(req->request_id()));
        v.Absorb(core::ValidateCreditCode(f.institution_credit_code(),
                                          "finding.institution_credit_code"));
        auto day = wire::ParseBusinessDate(f.finding_date(), "finding.finding_date");
        v.Absorb(day.status());
        if (day.ok() && *day > Today()) {
          v.Add("finding.finding_date", "R14.4", "finding.finding_date must not be in the future");
        }
        v.Absorb(core::ValidateText(f.description(), "finding.description", 1, 2000, "R14.4"));
        CheckEvidence(f.evidence_document_ids(), "finding.evidence_document_ids", 1, "R14.4", v);
        if (!f.engagement().empty())
          v.Absorb(CheckEngagementName(f.engagement(), "finding.engagement"));
        RETURN_IF_ERROR(v.Finish("抄袭认定信息有误"));
        // The cancellation it orders is for a registered institution (NOT_FOUND otherwise,
        // nothing written): the registry would refuse the order for good (issue 27 item 2).
        RETURN_IF_ERROR(d_.registry.InstitutionExists(f.institution_credit_code(),
                                                      "finding.institution_credit_code"));

        f.clear_name();
        f.clear_recorded_by();
        f.clear_create_time();
        *f.mutable_cancellation_last_day() = wire::ToDate(PlagiarismCancellation(*day).last_day);
        const std::string institution = f.institution_credit_code();
        const absl::CivilDay finding_day = *day;
        auto out = d_.store.RecordPlagiarismFinding(
            ChangeOf(call), server::IdempotencyKey(call, *req), std::move(f), finding_day,
            [&](const std::string& name) {
              return CancellationOrder(institution, finding_day, name);
            });
        if (!out.ok()) return out.status();
        if (d_.outbox_committed) d_.outbox_committed();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::feedback
