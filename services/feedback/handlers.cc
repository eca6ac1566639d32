#include "services/feedback/handlers.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/contact.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/request_kit.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/feedback/domain/plagiarism.h"
#include "services/feedback/domain/ratable_engagement.h"
#include "services/feedback/domain/rating.h"
#include "services/feedback/domain/rating_window.h"

namespace zhigai::feedback {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::FeedbackService::service_full_name(), name);
}

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckYear;
using server::IdFromName;
using server::IdOf;

constexpr size_t kMaxEvidence = 20;
constexpr int kMaxBatch = 1000;

absl::Status CheckKey(const std::string& key, absl::string_view field, size_t max) {
  return core::ValidateLine(key, field, 1, max, "AIP-155");
}

// "engagements/{id}": tracking's resource name, a positive numeric id.
absl::Status CheckEngagementName(const std::string& name, absl::string_view field) {
  constexpr absl::string_view kPrefix = "engagements/";
  int64_t id = 0;
  if (absl::StartsWith(name, kPrefix) && absl::SimpleAtoi(name.substr(kPrefix.size()), &id) &&
      id > 0 && name.substr(kPrefix.size()) == absl::StrCat(id)) {
    return absl::OkStatus();
  }
  return InvalidField(field, "AIP-122", "must look like engagements/{id}",
                      "服务项目名称格式应为 engagements/{id}");
}

void CheckEvidence(const google::protobuf::RepeatedPtrField<std::string>& ids,
                   const std::string& field, size_t min, absl::string_view rule, Violations& v) {
  if (ids.size() < static_cast<int>(min) || ids.size() > static_cast<int>(kMaxEvidence)) {
    v.Add(field, rule,
          absl::StrCat(field, ": between ", min, " and ", kMaxEvidence, " evidence documents"));
  }
  for (int i = 0; i < ids.size(); ++i) {
    v.Absorb(core::ValidateLine(ids[i], absl::StrCat(field, "[", i, "]"), 1, 200, "FORMAT"));
  }
}

std::optional<SatisfactionLevel> ToDomain(v1::SatisfactionLevel level) {
  if (level == v1::SATISFACTION_LEVEL_UNSPECIFIED || !v1::SatisfactionLevel_IsValid(level)) {
    return std::nullopt;
  }
  return ParseSatisfactionLevel(v1::SatisfactionLevel_Name(level));
}

bool IsVerified(v1::ComplaintOutcome outcome) {
  return outcome == v1::VERIFIED_SERIOUS || outcome == v1::VERIFIED_NOT_SERIOUS;
}

// What an institution or a service may see of a complaint: no person of the complainant, no
// bureau staff id.
void RedactComplaint(v1::Complaint* c) {
  c->clear_contact();
  c->clear_verified_by();
}

absl::Status OutsideDivision() {
  return server::Forbidden("OUTSIDE_DIVISION",
                           "a county bureau handles only its own division's engagements",
                           "县级经信部门只能处理本辖区事项");
}

absl::Status NotYours(absl::string_view what) {
  return server::Forbidden("NOT_OWN_RECORD", absl::StrCat("this ", what, " is not yours to see"),
                           "无权查看该记录");
}

// May the caller see a rating of these parties? Enterprise and institution see their own,
// a county bureau its division's, the city and zhigai's services all.
absl::Status MaySeeRating(const Call& call, const std::string& enterprise,
                          const std::string& institution, const std::string& division) {
  const auto& p = call.principal;
  switch (p.role) {
    case Role::kCityBureau:
    case Role::kService:
      return absl::OkStatus();
    case Role::kCountyBureau:
      return division == p.division_code ? absl::OkStatus() : OutsideDivision();
    case Role::kEnterprise:
      return !p.credit_code.empty() && enterprise == p.credit_code ? absl::OkStatus()
                                                                   : NotYours("rating");
    case Role::kInstitution:
      return !p.credit_code.empty() && institution == p.credit_code ? absl::OkStatus()
                                                                    : NotYours("rating");
    default:
      return RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                Role::kInstitution, Role::kService});
  }
}

// The caller's scope forced onto a filter: a filter naming someone else is refused rather than
// silently replaced.
absl::Status ScopeFilter(const std::string& own, std::string* filter, absl::string_view what) {
  if (own.empty()) return NotYours(what);
  if (!filter->empty() && *filter != own) return NotYours(what);
  *filter = own;
  return absl::OkStatus();
}

}  // namespace

absl::CivilDay FeedbackHandlers::Today() const { return core::BusinessDayOf(d_.clock()); }

// ---- ratings -------------------------------------------------------------------------------

grpc::Status FeedbackHandlers::Rate(grpc::ServerContext* ctx, absl::string_view method,
                                    const RatingCall& in, v1::RatingSource source,
                                    v1::Rating* resp) {
  return Serve(ctx, d_.internal_proof, method, [&](const Call& call) -> absl::Status {
    const bool by_phone = source == v1::PHONE_FOLLOW_UP;
    if (auto s = by_phone ? RequireRole(call, {Role::kCityBureau, Role::kCountyBureau})
                          : RequireRole(call, {Role::kEnterprise});
        !s.ok()) {
      return s;
    }
    Violations v;
    v.Absorb(CheckEngagementName(*in.engagement, "engagement"));
    auto rating = ValidateRating({ToDomain(in.content), ToDomain(in.results)});
    v.Absorb(rating.status());
    v.Absorb(core::ValidateText(*in.comment, "comment", 0, 500, "S2.1"));
    v.Absorb(CheckKey(*in.request_id, "request_id", 64));
    if (in.version < 0)
      v.Add("version", "AIP-154", "version: 0 for a first rating, else the version read");
    if (auto s = v.Finish("评价信息有误"); !s.ok()) return s;

    auto facts = d_.engagements.Get(*in.engagement);
    if (!facts.ok()) return facts.status();
    if (by_phone) {
      // On the enterprise's behalf: the bureau stands in for the served enterprise.
      if (call.principal.role == Role::kCountyBureau &&
          facts->division_code != call.principal.division_code) {
        return OutsideDivision();
      }
      if (auto s = CheckEngagementRatable({facts->enterprise_credit_code, facts->state},
                                          facts->enterprise_credit_code);
          !s.ok()) {
        return s;
      }
    } else if (auto s = CheckEngagementRatable({facts->enterprise_credit_code, facts->state},
                                               call.principal.credit_code);
               !s.ok()) {
      return s;
    }
    const std::optional<int> year = EngagementYear(*facts);
    if (!year.has_value())
      return absl::InternalError("a delivered engagement has no delivery date");
    auto settings = d_.store.GetRatingSettings(*year, kDefaultRatingChangePeriodDays);
    if (!settings.ok()) return settings.status();

    const absl::CivilDay today = Today();
    RatingWrite write;
    write.engagement = *in.engagement;
    write.facts = *facts;
    write.engagement_year = *year;
    write.content = in.content;
    write.results = in.results;
    write.comment = *in.comment;
    write.source = source;
    write.recorded_by = by_phone ? call.principal.subject : "";
    write.expected_version = in.version;
    write.today = today;
    write.change_period_days = settings->change_period_days();
    auto out = d_.store.SaveRating(ChangeOf(call), server::IdempotencyKey(call, *in.request), write,
                                   [&](absl::CivilDay first, absl::CivilDay last) {
                                     // The period is fixed when the rating is first given (its last
                                     // change day is stored then), so a later settings change never
                                     // shortens a window already promised.
                                     return CheckRatingChange(first, today,
                                                              static_cast<int>(last - first));
                                   });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    if (!call.principal.IsBureau()) resp->clear_recorded_by();
    return absl::OkStatus();
  });
}

grpc::Status FeedbackHandlers::RateEngagement(grpc::ServerContext* ctx,
                                              const v1::RateEngagementRequest* req,
                                              v1::Rating* resp) {
  return Rate(ctx, FullMethod("RateEngagement"),
              {&req->engagement(), req->content(), req->results(), &req->comment(), req->version(),
               &req->request_id(), req},
              v1::ENTERPRISE, resp);
}

grpc::Status FeedbackHandlers::RecordPhoneRating(grpc::ServerContext* ctx,
                                                 const v1::RecordPhoneRatingRequest* req,
                                                 v1::Rating* resp) {
  return Rate(ctx, FullMethod("RecordPhoneRating"),
              {&req->engagement(), req->content(), req->results(), &req->comment(), req->version(),
               &req->request_id(), req},
              v1::PHONE_FOLLOW_UP, resp);
}

grpc::Status FeedbackHandlers::GetRating(grpc::ServerContext* ctx, const v1::GetRatingRequest* req,
                                         v1::Rating* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("GetRating"), [&](const Call& call) -> absl::Status {
        const std::string& name = req->name();
        constexpr absl::string_view kSuffix = "/rating";
        std::string engagement =
            absl::EndsWith(name, kSuffix) ? name.substr(0, name.size() - kSuffix.size()) : "";
        if (!CheckEngagementName(engagement, "name").ok()) {
          return InvalidField("name", "AIP-122", "name must look like engagements/{id}/rating",
                              "资源名称格式应为 engagements/{id}/rating");
        }
        auto stored = d_.store.GetRating(engagement);
        if (!stored.ok()) return stored.status();
        const v1::Rating& r = stored->rating;
        if (auto s = MaySeeRating(call, r.enterprise_credit_code(), r.institution_credit_code(),
                                  stored->division_code);
            !s.ok()) {
          return s;
        }
        *resp = std::move(stored->rating);
        if (!call.principal.IsBureau()) resp->clear_recorded_by();
        return absl::OkStatus();
      });
}

grpc::Status FeedbackHandlers::ListRatings(grpc::ServerContext* ctx,
                                           const v1::ListRatingsRequest* req,
                                           v1::ListRatingsResponse* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("ListRatings"), [&](const Call& call) -> absl::Status {
        Violations v;
        if (!req->institution_credit_code().empty()) {
          v.Absorb(
              core::ValidateCreditCode(req->institution_credit_code(), "institution_credit_code"));
        }
        if (!req->enterprise_credit_code().empty()) {
          v.Absorb(
              core::ValidateCreditCode(req->enterprise_credit_code(), "enterprise_credit_code"));
        }
        if (req->engagement_year() != 0)
          v.Absorb(CheckYear(req->engagement_year(), "engagement_year"));
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        if (auto s = v.Finish(); !s.ok()) return s;

        RatingFilter filter{req->institution_credit_code(), req->enterprise_credit_code(), "",
                            req->engagement_year()};
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
            scoped = ScopeFilter(p.credit_code, &filter.enterprise, "rating");
            break;
          case Role::kInstitution:
            scoped = ScopeFilter(p.credit_code, &filter.institution, "rating");
            break;
          default:
            scoped = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kEnterprise,
                                        Role::kInstitution, Role::kService});
        }
        if (!scoped.ok()) return scoped;
        auto rows = d_.store.ListRatings(filter, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          v1::Rating& r = (*rows)[i].rating;
          if (!p.IsBureau()) r.clear_recorded_by();
          *resp->add_ratings() = std::move(r);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat((*rows)[*size - 1].id)));
        }
        return absl::OkStatus();
      });
}

// ---- settings ------------------------------------------------------------------------------

namespace {
absl::StatusOr<int> YearFromSettingsName(const std::string& name, absl::string_view field) {
  int year = 0;
  constexpr absl::string_view kPrefix = "ratingSettings/";
  if (!absl::StartsWith(name, kPrefix) || !absl::SimpleAtoi(name.substr(kPrefix.size()), &year)) {
    return InvalidField(field, "AIP-122", "name must look like ratingSettings/{year}",
                        "资源名称格式应为 ratingSettings/{年度}");
  }
  if (auto s = CheckYear(year, field); !s.ok()) return s;
  return year;
}
}  // namespace

grpc::Status FeedbackHandlers::GetRatingSettings(grpc::ServerContext* ctx,
                                                 const v1::GetRatingSettingsRequest* req,
                                                 v1::RatingSettings* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("GetRatingSettings"),
               [&](const Call&) -> absl::Status {
                 // The period is policy, not personal data: anyone may read it.
                 auto year = YearFromSettingsName(req->name(), "name");
                 if (!year.ok()) return year.status();
                 auto out = d_.store.GetRatingSettings(*year, kDefaultRatingChangePeriodDays);
                 if (!out.ok()) return out.status();
                 *resp = std::move(*out);
                 return absl::OkStatus();
               });
}

grpc::Status FeedbackHandlers::UpdateRatingSettings(grpc::ServerContext* ctx,
                                                    const v1::UpdateRatingSettingsRequest* req,
                                                    v1::RatingSettings* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("UpdateRatingSettings"),
               [&](const Call& call) -> absl::Status {
                 if (auto s = RequireRole(call, {Role::kCityBureau}); !s.ok()) return s;
                 const auto& in = req->settings();
                 Violations v;
                 auto year = YearFromSettingsName(in.name(), "settings.name");
                 v.Absorb(year.status());
                 if (in.change_period_days() < 0 || in.change_period_days() > 365) {
                   v.Add("settings.change_period_days", "S2.1",
                         "settings.change_period_days must be between 0 and 365");
                 }
                 if (in.version() < 0) {
                   v.Add("settings.version", "AIP-154", "send the version read (0 if never set)");
                 }
                 if (auto s = v.Finish("评价修改期限设置有误"); !s.ok()) return s;
                 auto out = d_.store.UpdateRatingSettings(ChangeOf(call), *year,
                                                          in.change_period_days(), in.version());
                 if (!out.ok()) return out.status();
                 *resp = std::move(*out);
                 return absl::OkStatus();
               });
}

// ---- complaints ----------------------------------------------------------------------------

grpc::Status FeedbackHandlers::FileComplaint(grpc::ServerContext* ctx,
                                             const v1::FileComplaintRequest* req,
                                             v1::Complaint* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("FileComplaint"), [&](const Call& call) -> absl::Status {
        if (auto s = RequireRole(call, {Role::kEnterprise}); !s.ok()) return s;
        if (call.principal.credit_code.empty()) return NotYours("complaint");
        v1::Complaint c = req->complaint();
        Violations v;
        v.Absorb(CheckKey(req->request_id(), "request_id", 64));
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
        if (auto s = v.Finish("投诉信息有误"); !s.ok()) return s;
        // A complaint names a registered institution (NOT_FOUND otherwise, nothing written).
        if (auto s = d_.registry.InstitutionExists(c.institution_credit_code(),
                                                   "complaint.institution_credit_code");
            !s.ok()) {
          return s;
        }

        c.set_division_code("");
        if (!c.engagement().empty()) {
          auto facts = d_.engagements.Get(c.engagement());
          if (!facts.ok()) return facts.status();
          if (facts->enterprise_credit_code != call.principal.credit_code) {
            return server::Forbidden("NOT_ENGAGEMENT_ENTERPRISE",
                                     "a complaint may name only an engagement that served the "
                                     "complaining enterprise",
                                     "只能就本企业接受的服务项目投诉");
          }
          if (facts->institution_credit_code != c.institution_credit_code()) {
            return InvalidField("complaint.engagement", "R14.5",
                                "complaint.engagement was served by another institution",
                                "所选服务项目并非由被投诉机构提供");
          }
          c.set_division_code(facts->division_code);
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
        if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}); !s.ok()) return s;
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
        if (auto s = v.Finish("核实信息有误"); !s.ok()) return s;

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
          auto starts = d_.store.BarStartsOf(current->institution_credit_code());
          if (!starts.ok()) return starts.status();
          const bool within_a_bar = std::any_of(starts->begin(), starts->end(), [&](auto start) {
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
                 auto id = IdFromName(req->name(), "complaints", "name");
                 if (!id.ok()) return id.status();
                 auto out = d_.store.GetComplaint(*id);
                 if (!out.ok()) return out.status();
                 if (auto s = ShowComplaint(call, &*out); !s.ok()) return s;
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
        if (auto s = v.Finish(); !s.ok()) return s;

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
        auto rows = d_.store.ListComplaints(filter, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          v1::Complaint& c = (*rows)[i];
          if (auto s = ShowComplaint(call, &c); !s.ok()) return s;  // the filter already scoped it
          *resp->add_complaints() = std::move(c);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(IdOf(resp->complaints(*size - 1).name())));
        }
        return absl::OkStatus();
      });
}

// ---- plagiarism ----------------------------------------------------------------------------

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
                 auto id = IdFromName(req->name(), "plagiarismFindings", "name");
                 if (!id.ok()) return id.status();
                 auto out = d_.store.GetPlagiarismFinding(*id);
                 if (!out.ok()) return out.status();
                 if (auto s = ShowFinding(call, &*out); !s.ok()) return s;
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
        if (auto s = v.Finish(); !s.ok()) return s;
        if (call.principal.role == Role::kInstitution) {
          if (auto s = ScopeFilter(call.principal.credit_code, &institution, "plagiarism finding");
              !s.ok()) {
            return s;
          }
        }
        auto rows = d_.store.ListPlagiarismFindings(institution, req->year(), *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          v1::PlagiarismFinding& f = (*rows)[i];
          if (auto s = ShowFinding(call, &f); !s.ok()) return s;  // the filter already scoped it
          *resp->add_findings() = std::move(f);
        }
        if (static_cast<int>(rows->size()) > *size) {
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
        if (auto s = RequireRole(call, {Role::kCityBureau}); !s.ok()) return s;
        v1::PlagiarismFinding f = req->finding();
        Violations v;
        v.Absorb(CheckKey(req->request_id(), "request_id", 64));
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
        if (auto s = v.Finish("抄袭认定信息有误"); !s.ok()) return s;
        // The cancellation it orders is for a registered institution (NOT_FOUND otherwise,
        // nothing written): the registry would refuse the order for good (issue 27 item 2).
        if (auto s = d_.registry.InstitutionExists(f.institution_credit_code(),
                                                   "finding.institution_credit_code");
            !s.ok()) {
          return s;
        }

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

// ---- metrics -------------------------------------------------------------------------------

grpc::Status FeedbackHandlers::BatchGetFeedbackMetrics(
    grpc::ServerContext* ctx, const v1::BatchGetFeedbackMetricsRequest* req,
    v1::BatchGetFeedbackMetricsResponse* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("BatchGetFeedbackMetrics"),
               [&](const Call& call) -> absl::Status {
                 if (auto s = RequireRole(call, {Role::kService, Role::kCityBureau}); !s.ok())
                   return s;
                 Violations v;
                 v.Absorb(CheckYear(req->year(), "year"));
                 if (req->credit_codes().empty() || req->credit_codes_size() > kMaxBatch) {
                   v.Add("credit_codes", "AIP-231", "credit_codes: send between 1 and 1000 codes");
                 }
                 std::set<std::string> seen;
                 for (int i = 0; i < req->credit_codes_size(); ++i) {
                   const std::string field = absl::StrCat("credit_codes[", i, "]");
                   v.Absorb(core::ValidateCreditCode(req->credit_codes(i), field));
                   if (!seen.insert(req->credit_codes(i)).second)
                     v.Add(field, "AIP-231", field + ": listed twice");
                 }
                 if (auto s = v.Finish(); !s.ok()) return s;
                 auto metrics = d_.store.BatchMetrics(
                     req->year(), {req->credit_codes().begin(), req->credit_codes().end()});
                 if (!metrics.ok()) return metrics.status();
                 for (const std::string& code : req->credit_codes()) {
                   v1::InstitutionFeedbackMetrics* m = resp->add_metrics();
                   auto found = metrics->find(code);
                   if (found != metrics->end()) *m = std::move(found->second);
                   m->set_credit_code(code);
                   m->mutable_content();  // present with zeros when nothing was rated
                   m->mutable_results();
                 }
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::feedback
