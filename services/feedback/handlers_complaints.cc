// The feedback service's handlers for complaints (R14.4, R14.5).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/core/contact.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/feedback/handlers.h"
#include "services/feedback/handlers_util.h"

namespace zhigai::feedback {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

bool IsVerified(v1::ComplaintOutcome outcome) {
  return outcome == v1::VERIFIED_SERIOUS || outcome == v1::VERIFIED_NOT_SERIOUS;
}

// What an institution or a service may see of a complaint: no person of the complainant, no
// bureau staff id.
void RedactComplaint(v1::Complaint* c) {
  c->clear_contact();
  c->clear_verified_by();
}

}  // namespace

grpc::Status FeedbackHandlers::FileComplaint(grpc::ServerContext* ctx,
                                             const v1::FileComplaintRequest* req,
                                             v1::Complaint* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("FileComplaint"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kEnterprise}));
        if (call.principal.credit_code.empty()) return NotYours("complaint");
        v1::Complaint c = req->complaint();
        Violations v;
        v.Absorb(CheckRequestId(req->request_id()));
        v.Absorb(core::ValidateCreditCode(c.institution_credit_code(),
                                          "complaint.institution_credit_code"));
        if (!c.engagement().empty())
          v.Absorb(CheckEngagementName(c.engagement(), "complaint.engagement"));
        v.Absorb(core::ValidateText(c.description(), "complaint.description", 1, 2000, "R14.5"));
        CheckEvidence(c.evidence_document_ids(), "complaint.evidence_document_ids", 0, "R14.5", v);
        v.Absorb(core::ValidateLine(c.contact().name(), "complaint.contact.name", 0, 50, "FORMAT"));
        v.Absorb(
            core::ValidateLine(c.contact().title(), "complaint.contact.title", 0, 50, "FORMAT"));
        if (!c.contact().phone().empty()) {
          v.Absorb(core::ValidatePhone(c.contact().phone(), "complaint.contact.phone"));
        }
        if (!c.contact().email().empty()) {
          v.Absorb(core::ValidateEmail(c.contact().email(), "complaint.contact.email"));
        }
        RETURN_IF_ERROR(v.Finish("投诉信息有误"));
        // A complaint names a registered institution (NOT_FOUND otherwise, nothing written).
        RETURN_IF_ERROR(d_.registry.InstitutionExists(c.institution_credit_code(),
                                                      "complaint.institution_credit_code"));

        c.set_division_code("");
        if (!c.engagement().empty()) {
          ASSIGN_OR_RETURN(auto facts, d_.engagements.Get(c.engagement()));
          if (facts.enterprise_credit_code != call.principal.credit_code) {
            return server::Forbidden("NOT_ENGAGEMENT_ENTERPRISE",
                                     "a complaint may name only an engagement that served the "
                                     "complaining enterprise",
                                     "只能就本企业接受的服务项目投诉");
          }
          if (facts.institution_credit_code != c.institution_credit_code()) {
            return InvalidField("complaint.engagement", "R14.5",
                                "complaint.engagement was served by another institution",
                                "所选服务项目并非由被投诉机构提供");
          }
          c.set_division_code(facts.division_code);
        }
        c.set_complainant_credit_code(call.principal.credit_code);
        auto out =
            d_.store.FileComplaint(ChangeOf(call), server::IdempotencyKey(call, *req), c, Today());
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        resp->clear_verified_by();
        return absl::OkStatus();
      });
}

grpc::Status FeedbackHandlers::VerifyComplaint(grpc::ServerContext* ctx,
                                               const v1::VerifyComplaintRequest* req,
                                               v1::Complaint* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("VerifyComplaint"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto id = IdFromName(req->name(), "complaints", "name");
        v.Absorb(id.status());
        if (req->outcome() != v1::VERIFIED_SERIOUS && req->outcome() != v1::VERIFIED_NOT_SERIOUS &&
            req->outcome() != v1::REJECTED) {
          v.Add("outcome", "R14.5",
                "outcome must be VERIFIED_SERIOUS, VERIFIED_NOT_SERIOUS or REJECTED");
        }
        v.Absorb(core::ValidateText(req->reasons(), "reasons", 1, 2000, "R14.5"));
        auto day = wire::ParseBusinessDate(req->verification_date(), "verification_date");
        v.Absorb(day.status());
        if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
        RETURN_IF_ERROR(v.Finish("核实信息有误"));

        auto current = d_.store.GetComplaint(*id);
        if (!current.ok()) return current.status();
        if (call.principal.role == Role::kCountyBureau &&
            current->division_code() != call.principal.division_code) {
          return OutsideDivision();
        }
        // R14.5 Decision: the bar runs from the verification day, so the day must be a real one:
        // not before the complaint existed, not in the future.
        if (*day > Today() || core::FormatDate(*day) < wire::DateText(current->filed_date())) {
          return InvalidField("verification_date", "R14.5",
                              absl::StrCat("verification_date must lie between the filing date ",
                                           wire::DateText(current->filed_date()), " and today"),
                              "核实日期须在投诉日期与今天之间");
        }
        // R14.5 (2026-12): a bar a bureau lifted lets new complaints bar again. Only when
        // this verification falls within a bar already ordered does it matter whether that bar
        // was lifted; then the registry, which keeps the lifts, is asked (before anything is
        // locked; down: nothing is decided, retry). Otherwise the bureau's work never waits.
        std::vector<LiftedBar> lifted;
        if (req->outcome() == v1::VERIFIED_SERIOUS) {
          ASSIGN_OR_RETURN(auto starts, d_.store.BarStartsOf(current->institution_credit_code()));
          const bool within_a_bar = std::any_of(starts.begin(), starts.end(), [&](auto start) {
            return IsBarredOn(start, *day, d_.sanction_rules);
          });
          if (within_a_bar) {
            auto lifts = d_.registry.LiftedBars(current->institution_credit_code());
            if (!lifts.ok()) return lifts.status();
            for (const auto& l : *lifts) lifted.push_back({l.start, l.lifted_on});
          }
        }
        auto out = d_.store.VerifyComplaint(
            ChangeOf(call), *id, req->version(), req->outcome(), req->reasons(), *day,
            [&](const std::string& institution, const std::vector<SeriousComplaint>& serious) {
              return BarOrders(institution, serious, d_.sanction_rules, lifted);
            });
        if (!out.ok()) return out.status();
        if (out->ordered_sanction && d_.outbox_committed) d_.outbox_committed();
        *resp = std::move(out->complaint);
        return absl::OkStatus();
      });
}

namespace {
// May the caller see this complaint, and in which form? Complainant: in full. Institution: once
// verified, redacted. County bureau: its division's. City: all. Services: redacted.
absl::Status ShowComplaint(const Call& call, v1::Complaint* c) {
  const auto& p = call.principal;
  switch (p.role) {
    case Role::kCityBureau:
      return absl::OkStatus();
    case Role::kCountyBureau:
      return c->division_code() == p.division_code ? absl::OkStatus() : OutsideDivision();
    case Role::kService:
      RedactComplaint(c);
      return absl::OkStatus();
    case Role::kEnterprise:
      if (p.credit_code.empty() || c->complainant_credit_code() != p.credit_code) {
        return NotYours("complaint");
      }
      c->clear_verified_by();
      return absl::OkStatus();
    case Role::kInstitution:
      if (p.credit_code.empty() || c->institution_credit_code() != p.credit_code ||
          !IsVerified(c->outcome())) {
        return NotYours("complaint");
      }
      RedactComplaint(c);
      return absl::OkStatus();
    default:
      return RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                Role::kInstitution, Role::kService});
  }
}
}  // namespace

grpc::Status FeedbackHandlers::GetComplaint(grpc::ServerContext* ctx,
                                            const v1::GetComplaintRequest* req,
                                            v1::Complaint* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("GetComplaint"),
               [&](const Call& call) -> absl::Status {
                 ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "complaints", "name"));
                 auto out = d_.store.GetComplaint(id);
                 if (!out.ok()) return out.status();
                 RETURN_IF_ERROR(ShowComplaint(call, &*out));
                 *resp = std::move(*out);
                 return absl::OkStatus();
               });
}

grpc::Status FeedbackHandlers::ListComplaints(grpc::ServerContext* ctx,
                                              const v1::ListComplaintsRequest* req,
                                              v1::ListComplaintsResponse* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("ListComplaints"), [&](const Call& call) -> absl::Status {
        Violations v;
        if (!req->institution_credit_code().empty()) {
          v.Absorb(
              core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
        }
        if (!req->complainant_credit_code().empty()) {
          v.Absorb(
              core::ValidateCreditCode(req->complainant_credit_code(), "complainant_credit_code"));
        }
        if (!v1::ComplaintOutcome_IsValid(req->outcome()))
          v.Add("outcome", "FORMAT", "unknown outcome");
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());

        ComplaintFilter filter;
        filter.institution = req->institution_credit_code();
        filter.complainant = req->complainant_credit_code();
        if (req->outcome() != v1::COMPLAINT_OUTCOME_UNSPECIFIED) {
          filter.outcome = v1::ComplaintOutcome_Name(req->outcome());
        }
        const auto& p = call.principal;
        absl::Status scoped = absl::OkStatus();
        switch (p.role) {
          case Role::kCityBureau:
          case Role::kService:
            break;
          case Role::kCountyBureau:
            filter.division = p.division_code;
            break;
          case Role::kEnterprise:
            scoped = ScopeFilter(p.credit_code, &filter.complainant, "complaint");
            break;
          case Role::kInstitution:
            scoped = ScopeFilter(p.credit_code, &filter.institution, "complaint");
            filter.verified_only = true;
            break;
          default:
            scoped = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                        Role::kInstitution, Role::kService});
        }
        if (!scoped.ok()) return scoped;
        ASSIGN_OR_RETURN(auto rows, d_.store.ListComplaints(filter, *after, *size + 1));
        for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
          v1::Complaint& c = (rows)[i];
          RETURN_IF_ERROR(ShowComplaint(call, &c));  // the filter already scoped it
          *resp->add_complaints() = std::move(c);
        }
        if (static_cast<int>(rows.size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(IdOf(resp->complaints(*size - 1).name())));
        }
        return absl::OkStatus();
      });
}

}  // namespace zhigai::feedback
