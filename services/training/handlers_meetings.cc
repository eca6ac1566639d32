// Exchange meetings (R9.1): meetings, the problems institutions raise and the bureau's answers,
// and the report of years and organisers with fewer than two meetings held.
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
#include "services/training/domain/meetings.h"
#include "services/training/handlers.h"
#include "services/training/handlers_util.h"

namespace zhigai::training {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

constexpr int kMaxReportYears = 20;

absl::Status ValidateOrganiser(const std::string& organiser, const ReferenceData& ref,
                               const std::string& field) {
  if (organiser == kCityOrganiser) return absl::OkStatus();
  if (ref.divisions.IsCountyLevelDivision(organiser)) return absl::OkStatus();
  return InvalidField(field, "R9.1", "organiser must be CITY or a county-level division code",
                      "组织单位应为市经信局（CITY）或县级行政区划代码");
}

// The city bureau answers for every meeting; a county bureau for the meetings it organised.
absl::Status MayManage(const Call& call, const v1::Meeting& m) {
  if (call.principal.role == Role::kCityBureau) return absl::OkStatus();
  if (call.principal.role == Role::kCountyBureau && m.organiser() == call.principal.division_code) {
    return absl::OkStatus();
  }
  return server::Forbidden("NOT_ORGANISER",
                           "only the city bureau or the organising county bureau may do this",
                           "只有市经信局或组织会议的县级经信部门可以执行此操作");
}

}  // namespace

grpc::Status TrainingHandlers::CreateMeeting(grpc::ServerContext* ctx,
                                             const v1::CreateMeetingRequest* req,
                                             v1::Meeting* resp) {
  return Serve(ctx, proof_, FullMethod("CreateMeeting"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
    const v1::Meeting& in = req->meeting();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id(), "request_id"));
    v.Absorb(core::ValidateLine(in.title(), "meeting.title", 1, 100, "FORMAT"));
    auto date = wire::ParseBusinessDate(in.date(), "meeting.date");
    v.Absorb(date.status());
    v.Absorb(ValidateOrganiser(in.organiser(), ref_, "meeting.organiser"));
    if (in.attendee_credit_codes_size() > kMaxBatch) {
      v.Add("meeting.attendee_credit_codes", "R9.1", "at most 1000 attendees");
    }
    std::set<std::string> seen;
    for (int i = 0; i < in.attendee_credit_codes_size(); ++i) {
      const std::string at = absl::StrCat("meeting.attendee_credit_codes[", i, "]");
      v.Absorb(core::ValidateCreditCode(in.attendee_credit_codes(i), at));
      if (!seen.insert(in.attendee_credit_codes(i)).second) {
        v.Add(at, "R9.1", "an attendee is listed twice");
      }
    }
    RETURN_IF_ERROR(v.Finish("交流会信息有误"));
    if (call.principal.role == Role::kCountyBureau &&
        in.organiser() != call.principal.division_code) {
      return server::Forbidden("OUTSIDE_DIVISION",
                               "a county bureau records only meetings it organised",
                               "县级经信部门只能登记本部门组织的交流会");
    }
    v1::Meeting meeting;
    meeting.set_title(in.title());
    *meeting.mutable_date() = in.date();
    meeting.set_year(static_cast<int>(date->year()));
    meeting.set_organiser(in.organiser());
    *meeting.mutable_attendee_credit_codes() = in.attendee_credit_codes();
    ASSIGN_OR_RETURN(
        *resp, store_.CreateMeeting(ChangeOf(call), server::IdempotencyKey(call, *req), meeting));
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::SubmitProblem(grpc::ServerContext* ctx,
                                             const v1::SubmitProblemRequest* req,
                                             v1::Problem* resp) {
  return Serve(ctx, proof_, FullMethod("SubmitProblem"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
    Violations v;
    v.Absorb(CheckRequestId(req->request_id(), "request_id"));
    auto meeting_id = IdFromName(req->parent(), "meetings", "parent");
    v.Absorb(meeting_id.status());
    v.Absorb(core::ValidateText(req->problem().text(), "problem.text", 1, 2000, "R9.1"));
    RETURN_IF_ERROR(v.Finish("问题信息有误"));
    ASSIGN_OR_RETURN(auto meeting, store_.GetMeeting(*meeting_id));
    ASSIGN_OR_RETURN(
        *resp, store_.SubmitProblem(ChangeOf(call), server::IdempotencyKey(call, *req), *meeting_id,
                                    call.principal.credit_code, req->problem().text()));
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::AnswerProblem(grpc::ServerContext* ctx,
                                             const v1::AnswerProblemRequest* req,
                                             v1::Problem* resp) {
  return Serve(ctx, proof_, FullMethod("AnswerProblem"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
    Violations v;
    auto ids = ProblemIdFromName(req->name(), "name");
    v.Absorb(ids.status());
    v.Absorb(core::ValidateText(req->answer(), "answer", 1, 2000, "R9.1"));
    if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
    RETURN_IF_ERROR(v.Finish("答复信息有误"));
    ASSIGN_OR_RETURN(auto meeting, store_.GetMeeting(ids->first));
    RETURN_IF_ERROR(MayManage(call, meeting));
    ASSIGN_OR_RETURN(*resp, store_.AnswerProblem(ChangeOf(call), ids->first, ids->second,
                                                 req->version(), req->answer()));
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::ListProblems(grpc::ServerContext* ctx,
                                            const v1::ListProblemsRequest* req,
                                            v1::ListProblemsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListProblems"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(
        RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution}));
    Violations v;
    auto meeting_id = IdFromName(req->parent(), "meetings", "parent");
    v.Absorb(meeting_id.status());
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto meeting, store_.GetMeeting(*meeting_id));
    // An institution sees its own problems; bureaus those of the meetings they manage.
    std::string only_code;
    if (call.principal.role == Role::kInstitution) {
      only_code = call.principal.credit_code;
    } else if (auto s = MayManage(call, meeting); !s.ok()) {
      return s;
    }
    auto rows = store_.ListProblems(*meeting_id, only_code, *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      *resp->add_problems() = std::move((*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->problems(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

grpc::Status TrainingHandlers::GetMeetingReport(grpc::ServerContext* ctx,
                                                const v1::GetMeetingReportRequest* req,
                                                v1::MeetingReport* resp) {
  return Serve(ctx, proof_, FullMethod("GetMeetingReport"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    Violations v;
    v.Absorb(CheckYear(req->first_year(), "first_year"));
    v.Absorb(CheckYear(req->last_year(), "last_year"));
    if (req->last_year() < req->first_year() ||
        req->last_year() - req->first_year() >= kMaxReportYears) {
      v.Add("last_year", "R9.1", "last_year must be first_year..first_year+19");
    }
    for (int i = 0; i < req->organisers_size(); ++i) {
      v.Absorb(ValidateOrganiser(req->organisers(i), ref_, absl::StrCat("organisers[", i, "]")));
    }
    RETURN_IF_ERROR(v.Finish());
    std::vector<std::string> organisers(req->organisers().begin(), req->organisers().end());
    if (organisers.empty()) {
      organisers.push_back(std::string(kCityOrganiser));
      for (const core::Division& d : ref_.divisions.all()) {
        if (ref_.divisions.IsCountyLevelDivision(d.code)) organisers.push_back(d.code);
      }
    }
    ASSIGN_OR_RETURN(auto stored, store_.MeetingsBetween(req->first_year(), req->last_year()));
    // R9.1 counts meetings held: one dated in the future is only planned.
    const absl::CivilDay today = Today();
    std::vector<Meeting> meetings;
    for (const v1::Meeting& m : stored) {
      auto date = wire::ParseDate(m.date(), "date");
      if (!date.ok()) return date.status();
      meetings.push_back({m.year(), m.organiser(), *date <= today});
    }
    std::vector<int> years;
    for (int y = req->first_year(); y <= req->last_year(); ++y) years.push_back(y);
    for (const MeetingShortfall& s : FindMeetingShortfalls(meetings, years, organisers)) {
      v1::MeetingShortfall* out = resp->add_shortfalls();
      out->set_year(s.year);
      out->set_organiser(s.organiser);
      out->set_held(s.held);
      out->set_message(s.english);
      out->set_message_zh(s.chinese);
    }
    return absl::OkStatus();
  });
}

}  // namespace zhigai::training
