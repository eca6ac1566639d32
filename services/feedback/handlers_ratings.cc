// The feedback service's handlers for ratings and their settings (S2).

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "services/feedback/domain/ratable_engagement.h"
#include "services/feedback/domain/rating.h"
#include "services/feedback/domain/rating_window.h"
#include "services/feedback/handlers.h"
#include "services/feedback/handlers_util.h"

namespace zhigai::feedback {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

std::optional<SatisfactionLevel> ToDomain(v1::SatisfactionLevel level) {
  if (level == v1::SATISFACTION_LEVEL_UNSPECIFIED || !v1::SatisfactionLevel_IsValid(level)) {
    return std::nullopt;
  }
  return ParseSatisfactionLevel(v1::SatisfactionLevel_Name(level));
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

}  // namespace

grpc::Status FeedbackHandlers::Rate(grpc::ServerContext* ctx, absl::string_view method,
                                    const RatingCall& in, v1::RatingSource source,
                                    v1::Rating* resp) {
  return Serve(ctx, d_.internal_proof, method, [&](const Call& call) -> absl::Status {
    const bool by_phone = source == v1::PHONE_FOLLOW_UP;
    RETURN_IF_ERROR(by_phone ? RequireRole(call, {Role::kCityBureau, Role::kCountyBureau})
                             : RequireRole(call, {Role::kEnterprise}));
    Violations v;
    v.Absorb(CheckEngagementName(*in.engagement, "engagement"));
    auto rating = ValidateRating({ToDomain(in.content), ToDomain(in.results)});
    v.Absorb(rating.status());
    v.Absorb(core::ValidateText(*in.comment, "comment", 0, 500, "S2.1"));
    v.Absorb(CheckRequestId(*in.request_id));
    if (in.version < 0)
      v.Add("version", "AIP-154", "version: 0 for a first rating, else the version read");
    RETURN_IF_ERROR(v.Finish("评价信息有误"));

    auto facts = d_.engagements.Get(*in.engagement);
    if (!facts.ok()) return facts.status();
    if (by_phone) {
      // On the enterprise's behalf: the bureau stands in for the served enterprise.
      if (call.principal.role == Role::kCountyBureau &&
          facts->division_code != call.principal.division_code) {
        return OutsideDivision();
      }
      RETURN_IF_ERROR(CheckEngagementRatable({facts->enterprise_credit_code, facts->state},
                                             facts->enterprise_credit_code));
    } else
      RETURN_IF_ERROR(CheckEngagementRatable({facts->enterprise_credit_code, facts->state},
                                             call.principal.credit_code));
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
        ASSIGN_OR_RETURN(auto stored, d_.store.GetRating(engagement));
        const v1::Rating& r = stored.rating;
        RETURN_IF_ERROR(MaySeeRating(call, r.enterprise_credit_code(), r.institution_credit_code(),
                                     stored.division_code));
        *resp = std::move(stored.rating);
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
        RETURN_IF_ERROR(v.Finish());

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
        ASSIGN_OR_RETURN(auto rows, d_.store.ListRatings(filter, *after, *size + 1));
        for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
          v1::Rating& r = (rows)[i].rating;
          if (!p.IsBureau()) r.clear_recorded_by();
          *resp->add_ratings() = std::move(r);
        }
        if (static_cast<int>(rows.size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat((rows)[*size - 1].id)));
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
  RETURN_IF_ERROR(CheckYear(year, field));
  return year;
}
}  // namespace

grpc::Status FeedbackHandlers::GetRatingSettings(grpc::ServerContext* ctx,
                                                 const v1::GetRatingSettingsRequest* req,
                                                 v1::RatingSettings* resp) {
  return Serve(
      ctx, d_.internal_proof, FullMethod("GetRatingSettings"), [&](const Call&) -> absl::Status {
        // The period is policy, not personal data: anyone may read it.
        ASSIGN_OR_RETURN(auto year, YearFromSettingsName(req->name(), "name"));
        ASSIGN_OR_RETURN(*resp, d_.store.GetRatingSettings(year, kDefaultRatingChangePeriodDays));
        return absl::OkStatus();
      });
}

grpc::Status FeedbackHandlers::UpdateRatingSettings(grpc::ServerContext* ctx,
                                                    const v1::UpdateRatingSettingsRequest* req,
                                                    v1::RatingSettings* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("UpdateRatingSettings"),
               [&](const Call& call) -> absl::Status {
                 RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
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
                 RETURN_IF_ERROR(v.Finish("评价修改期限设置有误"));
                 ASSIGN_OR_RETURN(
                     *resp, d_.store.UpdateRatingSettings(ChangeOf(call), *year,
                                                          in.change_period_days(), in.version()));
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::feedback
