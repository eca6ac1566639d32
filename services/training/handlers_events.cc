// Training events: planning, county review, filing, attendance, ratings, subsidy report (R13).
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/training/domain/audience.h"
#include "services/training/domain/filing.h"
#include "services/training/handlers.h"
#include "services/training/handlers_util.h"
#include "services/training/wire.h"

namespace zhigai::training {
namespace {

// The attendance code of an enterprise outside Wenzhou's "5+5" industries (R13.3).
constexpr char kOutsideFivePlusFive[] = "OTHER";

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

constexpr int kMaxAttendanceRows = 5000;
constexpr int kMaxRatings = 5000;
constexpr int64_t kMaxPeoplePerEnterprise = 100000;

// Row-level scope of an event: the institution itself, the county bureau of the venue's
// division, the city bureau and zhigai's own services.
absl::Status MaySee(const Call& call, const v1::Event& e) {
  switch (call.principal.role) {
    case Role::kCityBureau:
    case Role::kService:
      return absl::OkStatus();
    case Role::kCountyBureau:
      if (e.division_code() == call.principal.division_code) return absl::OkStatus();
      return server::Forbidden("OUTSIDE_DIVISION",
                               "a county bureau sees only events held in its division",
                               "县级经信部门只能查看本辖区举办的活动");
    case Role::kInstitution:
      if (e.institution_credit_code() == call.principal.credit_code) return absl::OkStatus();
      return server::Forbidden("NOT_OWN_EVENT", "an institution sees only its own events",
                               "机构只能查看本单位的活动");
    default:
      return server::Forbidden("ROLE_NOT_ALLOWED", "training events are not public",
                               "培训活动信息不公开");
  }
}

absl::Status MustBeOwner(const Call& call, const v1::Event& e) {
  if (call.principal.role == Role::kInstitution &&
      e.institution_credit_code() == call.principal.credit_code) {
    return absl::OkStatus();
  }
  return server::Forbidden("NOT_OWN_EVENT", "only the institution that runs the event may do this",
                           "只有举办机构本身可以执行此操作");
}

// R13.2/R13.4: attendance and ratings are recorded after the event has taken place.
absl::Status MustHaveTakenPlace(const v1::Event& e, absl::CivilDay today) {
  ASSIGN_OR_RETURN(auto date, wire::ParseDate(e.date(), "date"));
  if (date > today) {
    return RuleViolation("EVENT_NOT_HELD_YET", "R13.2",
                         absl::StrCat("the event takes place on ", wire::DateText(e.date()),
                                      "; attendance and ratings are recorded afterwards"),
                         "活动尚未举办，举办后再登记参会情况和学员评价");
  }
  return absl::OkStatus();
}

absl::Status WrongState(const v1::Event& e, absl::string_view reason, absl::string_view english,
                        absl::string_view chinese) {
  return RuleViolation(
      reason, "R13.4",
      absl::StrCat(english, " (the event is ", v1::EventState_Name(e.state()), ")"), chinese);
}

// The editable fields of a plan; output-only fields are never taken from a caller.
void CopyPlan(const v1::Event& from, v1::Event* to) {
  to->set_title(from.title());
  to->set_type(from.type());
  *to->mutable_date() = from.date();
  *to->mutable_start_time() = from.start_time();
  *to->mutable_end_time() = from.end_time();
  to->set_venue(from.venue());
  to->set_division_code(from.division_code());
  *to->mutable_industry_codes() = from.industry_codes();
  to->set_expected_audience(from.expected_audience());
  to->set_fee_fen(from.fee_fen());
  to->set_plan_document(from.plan_document());
  to->set_agenda_document(from.agenda_document());
  *to->mutable_slides_documents() = from.slides_documents();
  to->set_special_reason(from.special_reason());
}

// R13.2: no event may charge participants anything; refused at planning, not only unpaid.
absl::Status CheckFee(const v1::Event& e) {
  TrainingEvent fee_only;
  fee_only.fee_fen = e.fee_fen();
  return AsStatus(CheckNoFee(fee_only));
}

}  // namespace

absl::CivilDay TrainingHandlers::Today() const { return core::BusinessDayOf(clock_()); }

namespace {

peers::EligibilityQuery QueryOf(const v1::Event& event) {
  return {event.institution_credit_code(), "TRAINING_SERVICE", wire::DateText(event.date()),
          event.division_code()};
}

InstitutionStanding StandingFrom(const peers::EligibilityAnswer& answer) {
  InstitutionStanding out;
  out.eligible = answer.eligible;
  for (const auto& r : answer.reasons) out.reasons.push_back({r.reason, r.rule, r.message});
  return out;
}

}  // namespace

absl::StatusOr<InstitutionStanding> TrainingHandlers::StandingOf(const v1::Event& event) {
  ASSIGN_OR_RETURN(auto answer, eligibility_.Check(QueryOf(event)));
  return StandingFrom(answer);
}

absl::StatusOr<const TrainingRules*> TrainingHandlers::RulesOf(const v1::Event& event,
                                                               absl::CivilDay date) const {
  if (event.rule_version() > 0) return TrainingRulesVersion(rules_, event.rule_version());
  return TrainingRulesOn(rules_, date);
}

absl::Status TrainingHandlers::RecordRuleVersion(v1::Event& event) const {
  ASSIGN_OR_RETURN(absl::CivilDay date, wire::ParseDate(event.date(), "event.date"));
  ASSIGN_OR_RETURN(const TrainingRules* rules, TrainingRulesOn(rules_, date));
  event.set_rule_version(rules->version);
  return absl::OkStatus();
}

void TrainingHandlers::Decorate(const CalendarSnapshot& calendar, v1::Event* event) const {
  auto date = wire::ParseDate(event->date(), "date");
  if (!date.ok()) return;
  auto rules = RulesOf(*event, *date);
  if (!rules.ok()) return;
  auto last = calendar.calendar->LastFilingDay(*date, (*rules)->filing_working_days);
  if (last.ok()) *event->mutable_last_filing_day() = wire::ToDate(*last);
}

grpc::Status TrainingHandlers::CreateEvent(grpc::ServerContext* ctx,
                                           const v1::CreateEventRequest* req, v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("CreateEvent"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
    Violations v;
    v.Absorb(CheckRequestId(req->request_id(), "request_id"));
    v.Absorb(ValidatePlan(req->event(), ref_, "event."));
    RETURN_IF_ERROR(v.Finish("培训活动信息有误"));
    if (req->event().institution_credit_code() != call.principal.credit_code) {
      return server::Forbidden("NOT_OWN_INSTITUTION",
                               "an institution plans events only under its own credit code",
                               "机构只能以本单位名义举办活动");
    }
    RETURN_IF_ERROR(CheckFee(req->event()));
    // Only an institution that may serve on the event's date plans one (R14.4, R14.5, R4.1).
    ASSIGN_OR_RETURN(auto standing, StandingOf(req->event()));
    RETURN_IF_ERROR(RequireStanding(standing, req->event().institution_credit_code(),
                                    wire::DateText(req->event().date())));
    v1::Event event;
    event.set_institution_credit_code(req->event().institution_credit_code());
    CopyPlan(req->event(), &event);
    RETURN_IF_ERROR(RecordRuleVersion(event));
    event.set_state(v1::DRAFT);
    ASSIGN_OR_RETURN(*resp,
                     store_.CreateEvent(ChangeOf(call), server::IdempotencyKey(call, *req), event));
    Decorate(calendar_.Current(), resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::GetEvent(grpc::ServerContext* ctx, const v1::GetEventRequest* req,
                                        v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("GetEvent"), [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "events", "name"));
    auto out = store_.GetEvent(id);
    if (!out.ok()) return out.status();
    RETURN_IF_ERROR(MaySee(call, *out));
    *resp = std::move(*out);
    Decorate(calendar_.Current(), resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::UpdateEvent(grpc::ServerContext* ctx,
                                           const v1::UpdateEventRequest* req, v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("UpdateEvent"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
    Violations v;
    auto id = IdFromName(req->event().name(), "events", "event.name");
    v.Absorb(id.status());
    if (req->event().version() <= 0) {
      v.Add("event.version", "AIP-154", "send the version you read (optimistic concurrency)");
    }
    v.Absorb(ValidatePlan(req->event(), ref_, "event."));
    RETURN_IF_ERROR(v.Finish("培训活动信息有误"));
    RETURN_IF_ERROR(CheckFee(req->event()));
    ASSIGN_OR_RETURN(auto standing, StandingOf(req->event()));
    RETURN_IF_ERROR(RequireStanding(standing, req->event().institution_credit_code(),
                                    wire::DateText(req->event().date())));
    auto out = store_.EditEvent(
        ChangeOf(call), *id, req->event().version(), [&](v1::Event& e) -> absl::Status {
          RETURN_IF_ERROR(MustBeOwner(call, e));
          if (req->event().institution_credit_code() != e.institution_credit_code()) {
            return InvalidField("event.institution_credit_code", "R0.1",
                                "the institution running an event cannot change",
                                "举办机构不可更改");
          }
          if (e.state() != v1::DRAFT && e.state() != v1::RETURNED) {
            return WrongState(e, "EVENT_NOT_EDITABLE",
                              "only a draft or returned event can be changed",
                              "只有草稿或被退回的活动可以修改");
          }
          CopyPlan(req->event(), &e);
          e.set_special_reason_approved(false);  // a changed plan is reviewed afresh
          return RecordRuleVersion(e);           // a new date may fall under another version
        });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    Decorate(calendar_.Current(), resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::ListEvents(grpc::ServerContext* ctx,
                                          const v1::ListEventsRequest* req,
                                          v1::ListEventsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListEvents"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(
        call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService}));
    Violations v;
    if (req->year() != 0) v.Absorb(CheckYear(req->year(), "year"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    if (!v1::EventState_IsValid(req->state())) v.Add("state", "FORMAT", "unknown state");
    RETURN_IF_ERROR(v.Finish());
    EventFilter filter{req->year(), req->institution_credit_code(), req->division_code(),
                       req->state() == v1::EVENT_STATE_UNSPECIFIED
                           ? std::string()
                           : v1::EventState_Name(req->state())};
    // Scope: a county bureau lists its division, an institution itself.
    if (call.principal.role == Role::kCountyBureau) {
      if (!filter.division_code.empty() && filter.division_code != call.principal.division_code) {
        return server::Forbidden("OUTSIDE_DIVISION",
                                 "a county bureau lists only events held in its division",
                                 "县级经信部门只能查看本辖区举办的活动");
      }
      filter.division_code = call.principal.division_code;
    } else if (call.principal.role == Role::kInstitution) {
      if (!filter.institution_credit_code.empty() &&
          filter.institution_credit_code != call.principal.credit_code) {
        return server::Forbidden("NOT_OWN_EVENT", "an institution lists only its own events",
                                 "机构只能查看本单位的活动");
      }
      filter.institution_credit_code = call.principal.credit_code;
    }
    ASSIGN_OR_RETURN(auto rows, store_.ListEvents(filter, *after, *size + 1));
    const CalendarSnapshot calendar = calendar_.Current();
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      v1::Event* e = resp->add_events();
      *e = std::move((rows)[i]);
      Decorate(calendar, e);
    }
    if (static_cast<int>(rows.size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->events(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::SubmitEventForReview(grpc::ServerContext* ctx,
                                                    const v1::SubmitEventForReviewRequest* req,
                                                    v1::Event* resp) {
  return Serve(
      ctx, proof_, FullMethod("SubmitEventForReview"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "events", "name"));
        auto out = store_.EditEvent(ChangeOf(call), id, 0, [&](v1::Event& e) -> absl::Status {
          RETURN_IF_ERROR(MustBeOwner(call, e));
          if (e.state() != v1::DRAFT && e.state() != v1::RETURNED) {
            return WrongState(e, "EVENT_ALREADY_SUBMITTED",
                              "only a draft or returned event can be submitted for review",
                              "只有草稿或被退回的活动可以提交审查");
          }
          // R13.4: the county bureau reviews the plan, the agenda and the lecturers' slides.
          if (e.plan_document().empty() || e.agenda_document().empty() ||
              e.slides_documents().empty()) {
            return RuleViolation(
                "DOCUMENTS_MISSING", "R13.4",
                "plan, agenda and at least one lecturer's slides are needed for the "
                "county bureau's review",
                "提交审查须附活动方案、议程和讲师课件");
          }
          e.set_state(v1::SUBMITTED);
          e.clear_return_reason();
          return absl::OkStatus();
        });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        Decorate(calendar_.Current(), resp);
        return absl::OkStatus();
      });
}

grpc::Status TrainingHandlers::ReviewEvent(grpc::ServerContext* ctx,
                                           const v1::ReviewEventRequest* req, v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("ReviewEvent"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCountyBureau}));
    Violations v;
    auto id = IdFromName(req->name(), "events", "name");
    v.Absorb(id.status());
    if (req->decision() != v1::APPROVE && req->decision() != v1::RETURN) {
      v.Add("decision", "R13.4", "decision must be APPROVE or RETURN");
    }
    if (req->decision() == v1::RETURN) {
      v.Absorb(core::ValidateText(req->return_reason(), "return_reason", 1, 1000, "R13.4"));
      if (req->approve_special_reason()) {
        v.Add("approve_special_reason", "R13.1", "a returned event has no approved reason");
      }
    } else if (!req->return_reason().empty()) {
      v.Add("return_reason", "R13.4", "a reason is given only when returning");
    }
    RETURN_IF_ERROR(v.Finish("审查意见有误"));
    const std::string now = core::FormatTimestamp(clock_());
    auto out = store_.EditEvent(ChangeOf(call), *id, 0, [&](v1::Event& e) -> absl::Status {
      if (e.division_code() != call.principal.division_code) {
        return server::Forbidden("OUTSIDE_DIVISION",
                                 "only the county bureau of the venue's division reviews an "
                                 "event (R13.4)",
                                 "活动由举办地县级经信部门审查");
      }
      if (e.state() != v1::SUBMITTED) {
        return WrongState(e, "EVENT_NOT_SUBMITTED", "only a submitted event can be reviewed",
                          "只有已提交审查的活动可以审查");
      }
      if (req->approve_special_reason() && e.special_reason().empty()) {
        return InvalidField("approve_special_reason", "R13.1",
                            "the event states no special reason to approve",
                            "活动未说明特殊理由，无需批准");
      }
      e.set_state(req->decision() == v1::APPROVE ? v1::APPROVED : v1::RETURNED);
      e.set_return_reason(req->return_reason());
      e.set_special_reason_approved(req->approve_special_reason());
      e.set_reviewed_by(call.principal.subject);
      if (auto ts = wire::TimestampFromText(now)) *e.mutable_review_time() = *ts;
      return absl::OkStatus();
    });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    Decorate(calendar_.Current(), resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::FileEvent(grpc::ServerContext* ctx, const v1::FileEventRequest* req,
                                         v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("FileEvent"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution, Role::kCountyBureau}));
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "events", "name"));
    const absl::CivilDay today = Today();
    const CalendarSnapshot calendar = calendar_.Current();
    // The registry is asked before the row is locked (no peer call inside a transaction); the
    // date and institution of a submitted event cannot change in between.
    auto current = store_.GetEvent(id);
    if (!current.ok()) return current.status();
    auto standing = StandingOf(*current);
    if (!standing.ok()) return standing.status();
    auto out = store_.EditEvent(ChangeOf(call), id, 0, [&](v1::Event& e) -> absl::Status {
      if (call.principal.role == Role::kInstitution) {
        RETURN_IF_ERROR(MustBeOwner(call, e));
      } else if (auto s = MaySee(call, e); !s.ok()) {
        return s;
      }
      if (wire::DateText(e.date()) != wire::DateText(current->date())) {
        return Error(absl::StatusCode::kAborted, "STALE_VERSION",
                     "the event changed while it was being filed; file it again",
                     "活动在备案过程中被修改，请重新备案");
      }
      if (auto s =
              RequireStanding(*standing, e.institution_credit_code(), wire::DateText(e.date()));
          !s.ok()) {
        return s;
      }
      if (e.state() == v1::FILED) {
        return WrongState(e, "EVENT_ALREADY_FILED", "the event was already filed", "活动已备案");
      }
      if (e.state() != v1::APPROVED) {
        return WrongState(e, "COUNTY_REVIEW_NOT_APPROVED",
                          "an event is filed with the city after the county bureau approved it",
                          "活动须经县级经信部门审查通过后方可报市经信局备案");
      }
      auto date = wire::ParseDate(e.date(), "date");
      if (!date.ok()) return date.status();
      // R13.4: refused after the last filing day (the refusal names it); a year missing from
      // the calendar is CALENDAR_YEAR_MISSING, never a guess.
      // The rules the event recorded when it was planned (issue 26).
      ASSIGN_OR_RETURN(const TrainingRules* rules, RulesOf(e, *date));
      RETURN_IF_ERROR(CheckFilingAllowed(*calendar.calendar, *date, today, *rules));
      e.set_state(v1::FILED);
      *e.mutable_filed_on() = wire::ToDate(today);
      return absl::OkStatus();
    });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    Decorate(calendar, resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::RecordAttendance(grpc::ServerContext* ctx,
                                                const v1::RecordAttendanceRequest* req,
                                                v1::Event* resp) {
  return Serve(ctx, proof_, FullMethod("RecordAttendance"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(
        RequireRole(call, {Role::kInstitution, Role::kCountyBureau, Role::kCityBureau}));
    Violations v;
    auto id = IdFromName(req->name(), "events", "name");
    v.Absorb(id.status());
    if (req->attendance_size() > kMaxAttendanceRows) {
      v.Add("attendance", "R13.2", "at most 5000 enterprises per event");
    }
    std::set<std::string> seen;
    for (int i = 0; i < req->attendance_size(); ++i) {
      const v1::Attendance& a = req->attendance(i);
      const std::string at = absl::StrCat("attendance[", i, "]");
      v.Absorb(
          core::ValidateCreditCode(a.enterprise_credit_code(), at + ".enterprise_credit_code"));
      if (!seen.insert(a.enterprise_credit_code()).second) {
        v.Add(at + ".enterprise_credit_code", "R13.2",
              "an enterprise is listed twice; give one row per enterprise");
      }
      // A catalogue code or OTHER (an enterprise outside the "5+5" industries), never free text
      // (issue 27: "footwear" was stored and then counted as outside 5+5).
      if (a.industry_code() != kOutsideFivePlusFive &&
          ref_.industries.FindByCode(a.industry_code()) == nullptr) {
        v.Add(at + ".industry_code", "R13.3",
              absl::StrCat("industry_code: '", a.industry_code(),
                           "' is neither a \"5+5\" industry code of data/industries.tsv nor ",
                           kOutsideFivePlusFive,
                           " (an enterprise outside them); codes are upper case"));
      }
      if (a.people() < 1 || a.people() > kMaxPeoplePerEnterprise) {
        v.Add(at + ".people", "R13.2", "an enterprise sends 1..100000 people");
      }
    }
    RETURN_IF_ERROR(v.Finish("参会情况有误"));
    const absl::CivilDay today = Today();
    auto out = store_.EditEvent(ChangeOf(call), *id, 0, [&](v1::Event& e) -> absl::Status {
      if (call.principal.role == Role::kInstitution) {
        RETURN_IF_ERROR(MustBeOwner(call, e));
      } else if (auto s = MaySee(call, e); !s.ok()) {
        return s;
      }
      RETURN_IF_ERROR(MustHaveTakenPlace(e, today));
      *e.mutable_attendance() = req->attendance();
      return absl::OkStatus();
    });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    Decorate(calendar_.Current(), resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::RecordTraineeRatings(grpc::ServerContext* ctx,
                                                    const v1::RecordTraineeRatingsRequest* req,
                                                    v1::Event* resp) {
  return Serve(
      ctx, proof_, FullMethod("RecordTraineeRatings"), [&](const Call& call) -> absl::Status {
        if (auto s =
                RequireRole(call, {Role::kInstitution, Role::kCountyBureau, Role::kCityBureau});
            !s.ok()) {
          return s;
        }
        Violations v;
        auto id = IdFromName(req->name(), "events", "name");
        v.Absorb(id.status());
        if (req->ratings().empty() || req->ratings_size() > kMaxRatings) {
          v.Add("ratings", "R13.4", "send 1..5000 ratings");
        }
        std::set<std::string> seen;
        std::vector<Rating> ratings;
        for (int i = 0; i < req->ratings_size(); ++i) {
          const std::string at = absl::StrCat("ratings[", i, "].ballot_id");
          v.Absorb(core::ValidateLine(req->ratings(i).ballot_id(), at, 1, 64, "R13.4"));
          if (!seen.insert(req->ratings(i).ballot_id()).second) {
            v.Add(at, "R13.4", "a ballot is listed twice");
          }
          ratings.push_back({req->ratings(i).ballot_id(), req->ratings(i).satisfied()});
        }
        RETURN_IF_ERROR(v.Finish("学员评价有误"));
        const absl::CivilDay today = Today();
        auto out = store_.RecordRatings(ChangeOf(call), *id, ratings,
                                        [&](const v1::Event& e) -> absl::Status {
                                          if (call.principal.role == Role::kInstitution) {
                                            RETURN_IF_ERROR(MustBeOwner(call, e));
                                          } else if (auto s = MaySee(call, e); !s.ok()) {
                                            return s;
                                          }
                                          return MustHaveTakenPlace(e, today);
                                        });
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        Decorate(calendar_.Current(), resp);
        return absl::OkStatus();
      });
}

grpc::Status TrainingHandlers::GetSubsidyReport(grpc::ServerContext* ctx,
                                                const v1::GetSubsidyReportRequest* req,
                                                v1::SubsidyReport* resp) {
  return Serve(ctx, proof_, FullMethod("GetSubsidyReport"), [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto id, IdFromName(req->name(), "events", "name"));
    auto event = store_.GetEvent(id);
    if (!event.ok()) return event.status();
    RETURN_IF_ERROR(MaySee(call, *event));
    auto domain = ToDomain(*event);
    if (!domain.ok()) return domain.status();
    const int year = static_cast<int>(domain->date().year());
    auto policy = store_.GetPolicy(year);
    if (!policy.ok()) return policy.status();
    // A sanction imposed after filing: the event stays on record, its subsidy goes (R14.4/5).
    auto standing = StandingOf(*event);
    if (!standing.ok()) return standing.status();
    const CalendarSnapshot calendar = calendar_.Current();
    ASSIGN_OR_RETURN(const TrainingRules* rules, RulesOf(*event, domain->date()));
    auto report = BuildSubsidyReport(*domain, *calendar.calendar, ref_.five_plus_five_codes,
                                     policy->has_training_subsidy(), *standing, *rules);
    if (!report.ok()) return report.status();
    resp->set_event(event->name());
    resp->set_year(year);
    resp->set_year_policy_set(policy->version() > 0);
    resp->set_year_has_training_subsidy(policy->has_training_subsidy());
    ToProto(*report, resp);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::BatchGetInstitutionEvents(
    grpc::ServerContext* ctx, const v1::BatchGetInstitutionEventsRequest* req,
    v1::BatchGetInstitutionEventsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("BatchGetInstitutionEvents"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kService}));
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        v.Absorb(ValidateBatchCodes(req->credit_codes(), "credit_codes"));
        RETURN_IF_ERROR(v.Finish());
        std::vector<std::string> codes(req->credit_codes().begin(), req->credit_codes().end());
        ASSIGN_OR_RETURN(auto events, store_.EventsOfInstitutions(req->year(), codes));
        auto policy = store_.GetPolicy(req->year());
        if (!policy.ok()) return policy.status();
        const CalendarSnapshot calendar = calendar_.Current();
        std::map<std::string, v1::InstitutionEvents*> by_code;
        for (const std::string& code : codes) {
          v1::InstitutionEvents* entry = resp->add_institutions();
          entry->set_credit_code(code);
          by_code[code] = entry;
        }
        // Every event's institution standing in one registry call; without an answer the
        // verdicts cannot be given, and each event says why.
        std::vector<peers::EligibilityQuery> queries;
        for (const v1::Event& e : events) queries.push_back(QueryOf(e));
        auto answers = eligibility_.CheckMany(queries);
        for (size_t i = 0; i < events.size(); ++i) {
          v1::Event& e = (events)[i];
          v1::EventSummary* summary = by_code[e.institution_credit_code()]->add_events();
          auto domain = ToDomain(e);
          if (!domain.ok()) return domain.status();
          if (!answers.ok()) {
            summary->set_verdict_unavailable_reason(ReasonOf(answers.status()));
            Decorate(calendar, &e);
            *summary->mutable_event() = std::move(e);
            continue;
          }
          auto rules = RulesOf(e, domain->date());
          if (!rules.ok()) return rules.status();
          auto report = BuildSubsidyReport(*domain, *calendar.calendar, ref_.five_plus_five_codes,
                                           policy->has_training_subsidy(),
                                           StandingFrom((*answers)[i]), **rules);
          if (report.ok()) {
            summary->set_verdict(ToProto(report->verdict));
          } else {
            summary->set_verdict_unavailable_reason(ReasonOf(report.status()));
          }
          Decorate(calendar, &e);
          *summary->mutable_event() = std::move(e);
        }
        return absl::OkStatus();
      });
}

grpc::Status TrainingHandlers::SetYearPolicy(grpc::ServerContext* ctx,
                                             const v1::SetYearPolicyRequest* req,
                                             v1::YearPolicy* resp) {
  return Serve(ctx, proof_, FullMethod("SetYearPolicy"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    v.Absorb(CheckYear(req->year(), "year"));
    if (req->version() < 0) v.Add("version", "AIP-154", "send the version you read (0 if unset)");
    RETURN_IF_ERROR(v.Finish());
    auto out =
        store_.SetPolicy(ChangeOf(call), req->year(), req->has_training_subsidy(), req->version());
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::GetYearPolicy(grpc::ServerContext* ctx,
                                             const v1::GetYearPolicyRequest* req,
                                             v1::YearPolicy* resp) {
  // The policy is public information: every caller may read it.
  return Serve(ctx, proof_, FullMethod("GetYearPolicy"), [&](const Call&) -> absl::Status {
    RETURN_IF_ERROR(CheckYear(req->year(), "year"));
    ASSIGN_OR_RETURN(*resp, store_.GetPolicy(req->year()));
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::ReloadCalendar(grpc::ServerContext* ctx,
                                              const v1::ReloadCalendarRequest*,
                                              v1::CalendarInfo* resp) {
  return Serve(ctx, proof_, FullMethod("ReloadCalendar"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    ASSIGN_OR_RETURN(auto snapshot, calendar_.Reload());
    RETURN_IF_ERROR(store_.RecordCalendarReload(ChangeOf(call), snapshot.name,
                                                static_cast<int>(snapshot.years.size())));
    resp->set_path(snapshot.name);
    for (int y : snapshot.years) resp->add_years(y);
    *resp->mutable_load_time() = wire::ToTimestamp(snapshot.loaded_at);
    return absl::OkStatus();
  });
}

}  // namespace zhigai::training
