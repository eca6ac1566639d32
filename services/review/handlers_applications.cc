// Applications: create, read, change while DRAFT, list, submit (R5 checklist), decisions.
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/field_mask_util.h>

#include <set>

#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/server/idempotency.h"
#include "libs/wire/typed_time.h"
#include "services/review/access.h"
#include "services/review/domain/call_state.h"
#include "services/review/domain/eligibility.h"
#include "services/review/handlers.h"
#include "services/review/handlers_util.h"
#include "services/review/wire.h"

namespace zhigai::review {

using auth::Role;
using handlers::AfterId;
using handlers::ChangeOf;
using handlers::CheckRequestId;
using handlers::CheckVersion;
using handlers::FullMethod;
using handlers::ReadApplication;
using server::RequireRole;
using server::Serve;

namespace handlers {

absl::StatusOr<Readable> ReadApplication(ReviewStore& store, const server::Call& call,
                                         int64_t call_id, int64_t application_id) {
  ASSIGN_OR_RETURN(auto c, store.GetCall(call_id));
  auto app = store.GetApplication(call_id, application_id);
  if (!app.ok()) return app.status();
  Readable out{std::move(c), std::move(*app)};
  if (IsOverseer(call.principal, out.call) || IsApplicant(call.principal, out.app.app)) return out;
  if (call.principal.role == Role::kExpert) {
    auto expert = store.ExpertIdOfSubject(call.principal.subject);
    if (!expert.ok()) return expert.status();
    if (expert->has_value()) {
      auto assigned = store.IsAssigned(application_id, **expert);
      if (!assigned.ok()) return assigned.status();
      if (*assigned) {
        RedactForExpert(&out.app.app);
        return out;
      }
    }
    return Error(absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED",
                 "an expert sees only the applications assigned to them",
                 "专家只能查看分配给本人的申报", "R7.1");
  }
  return server::Forbidden("NOT_YOUR_APPLICATION",
                           "an application is visible to its applicant, the bureaus running the "
                           "call and its assigned experts",
                           "无权查看该申报");
}

}  // namespace handlers

namespace {

absl::Status CheckDirectionsOpen(const v1::Call& call, const v1::Application& app) {
  Violations v;
  for (int i = 0; i < app.directions_size(); ++i) {
    bool open = false;
    for (const auto& d : call.directions()) open |= d.direction() == app.directions(i);
    if (!open && DirectionFromProto(app.directions(i))) {
      v.Add(absl::StrCat("application.directions[", i, "]"), "R5.2",
            absl::StrCat("the call does not open direction ",
                         common::v1::Direction_Name(app.directions(i))));
    }
  }
  return v.Finish("征集通知未开放该业务方向");
}

const std::set<std::string>& EditableApplicationFields() {
  static const auto* s =
      new std::set<std::string>{"profile", "consortium_members", "directions",     "letter",
                                "staff",   "track_record",       "quality_control"};
  return *s;
}

absl::Status RequireDraft(const StoredApplication& app) {
  if (app.app.state() == v1::APPLICATION_DRAFT) return absl::OkStatus();
  return RuleViolation("APPLICATION_SUBMITTED", "R6.1",
                       "the application was submitted and can no longer be changed",
                       "申报已提交，不能修改");
}

}  // namespace

grpc::Status ReviewHandlers::CreateApplication(grpc::ServerContext* ctx,
                                               const v1::CreateApplicationRequest* req,
                                               v1::Application* resp) {
  return Serve(ctx, proof_, FullMethod("CreateApplication"),
               [&](const server::Call& call) -> absl::Status {
                 RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
                 Violations v;
                 auto call_id = ParseCallName(req->parent(), "parent");
                 v.Absorb(call_id.status());
                 v.Absorb(CheckRequestId(req->request_id()));
                 v.Absorb(ValidateApplicationContent(req->application(), ref_));
                 RETURN_IF_ERROR(v.Finish("申报材料填写有误"));
                 if (call.principal.credit_code != req->application().profile().credit_code()) {
                   return server::Forbidden(
                       "NOT_OWN_APPLICATION",
                       "an institution applies for itself (a consortium through its lead)",
                       "机构只能以本单位名义申报（联合体由牵头单位申报）");
                 }
                 const absl::CivilDay today = Today();
                 auto out = store_.CreateApplication(
                     ChangeOf(call), server::IdempotencyKey(call, *req), *call_id,
                     req->application(), [&](const v1::Call& c) -> absl::Status {
                       if (c.state() == v1::DRAFT) {
                         return server::Forbidden("CALL_NOT_PUBLISHED", "the call is not published",
                                                  "征集通知尚未发布");
                       }
                       ASSIGN_OR_RETURN(auto domain, CallShapeFromProto(c));
                       RETURN_IF_ERROR(CheckSubmissionWindow(domain, today));
                       return CheckDirectionsOpen(c, req->application());
                     });
                 if (!out.ok()) return out.status();
                 *resp = std::move(out->app);
                 return absl::OkStatus();
               });
}

grpc::Status ReviewHandlers::GetApplication(grpc::ServerContext* ctx,
                                            const v1::GetApplicationRequest* req,
                                            v1::Application* resp) {
  return Serve(ctx, proof_, FullMethod("GetApplication"),
               [&](const server::Call& call) -> absl::Status {
                 ASSIGN_OR_RETURN(auto ref, ParseApplicationName(req->name(), "name"));
                 auto out = ReadApplication(store_, call, ref.call_id, ref.id);
                 if (!out.ok()) return out.status();
                 *resp = std::move(out->app.app);
                 return absl::OkStatus();
               });
}

grpc::Status ReviewHandlers::UpdateApplication(grpc::ServerContext* ctx,
                                               const v1::UpdateApplicationRequest* req,
                                               v1::Application* resp) {
  return Serve(
      ctx, proof_, FullMethod("UpdateApplication"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        Violations v;
        auto ref = ParseApplicationName(req->application().name(), "application.name");
        v.Absorb(ref.status());
        v.Absorb(CheckVersion(req->application().version(), "application.version"));
        if (req->update_mask().paths().empty()) {
          v.Add("update_mask", "AIP-134", "update_mask must name the fields to change");
        }
        for (const auto& path : req->update_mask().paths()) {
          if (!EditableApplicationFields().count(path)) {
            v.Add("update_mask", "AIP-134", absl::StrCat("'", path, "' cannot be changed"));
          }
        }
        RETURN_IF_ERROR(v.Finish());
        const absl::CivilDay today = Today();
        auto out = store_.MutateApplication(
            ChangeOf(call), ref->call_id, ref->id, req->application().version(),
            [&](db::Connection&, const v1::Call& c, StoredApplication& app) -> absl::Status {
              if (!IsApplicant(call.principal, app.app) ||
                  call.principal.credit_code != app.app.profile().credit_code()) {
                return server::Forbidden("NOT_OWN_APPLICATION",
                                         "only the applicant (the lead) edits",
                                         "只有申报单位（牵头单位）可以修改申报");
              }
              RETURN_IF_ERROR(RequireDraft(app));
              ASSIGN_OR_RETURN(auto domain, CallShapeFromProto(c));
              RETURN_IF_ERROR(CheckSubmissionWindow(domain, today));
              const std::string code = app.app.profile().credit_code();
              google::protobuf::util::FieldMaskUtil::MergeOptions options;
              options.set_replace_message_fields(true);
              options.set_replace_repeated_fields(true);
              google::protobuf::util::FieldMaskUtil::MergeMessageTo(
                  req->application(), req->update_mask(), options, &app.app);
              if (app.app.profile().credit_code() != code) {
                return InvalidField(
                    "application.profile.credit_code", "R0.1",
                    "the applicant's credit code cannot change; start a new application",
                    "申报单位统一社会信用代码不能修改");
              }
              RETURN_IF_ERROR(ValidateApplicationContent(app.app, ref_));
              return CheckDirectionsOpen(c, app.app);
            });
        if (!out.ok()) return out.status();
        *resp = std::move(out->app);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ListApplications(grpc::ServerContext* ctx,
                                              const v1::ListApplicationsRequest* req,
                                              v1::ListApplicationsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListApplications"), [&](const server::Call& call) -> absl::Status {
        Violations v;
        auto call_id = ParseCallName(req->parent(), "parent");
        v.Absorb(call_id.status());
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto c, store_.GetCall(*call_id));
        ReviewStore::ApplicationFilter filter;
        bool expert = false;
        if (IsOverseer(call.principal, c)) {
          // everything
        } else if (call.principal.role == Role::kInstitution &&
                   !call.principal.credit_code.empty()) {
          filter.credit_code = call.principal.credit_code;
        } else if (call.principal.role == Role::kExpert) {
          auto id = store_.ExpertIdOfSubject(call.principal.subject);
          if (!id.ok()) return id.status();
          filter.expert_id = id->value_or(-1);  // -1 matches nothing: not in the pool
          expert = true;
        } else {
          return server::Forbidden("NOT_ALLOWED",
                                   "applications are not public; see the public notice",
                                   "申报信息不公开，请查看公示");
        }
        auto rows = store_.ListApplications(*call_id, filter, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          if (expert) RedactForExpert(&(*rows)[i].app);
          *resp->add_applications() = std::move((*rows)[i].app);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(absl::StrCat((*rows)[*size - 1].id)));
        }
        return absl::OkStatus();
      });
}

absl::Status ReviewHandlers::CheckApplicantsNotSanctioned(const v1::Application& app) {
  std::vector<std::string> codes = {app.profile().credit_code()};
  for (const auto& m : app.consortium_members()) {
    if (m.credit_code() != codes.front()) codes.push_back(m.credit_code());
  }
  std::vector<peers::EligibilityQuery> queries;
  const std::string today = core::FormatDate(Today());
  // Only the sanctions matter here: an applicant is not in the directory it applies for yet.
  for (const std::string& code : codes) queries.push_back({code, "DIAGNOSIS", today, ""});
  ASSIGN_OR_RETURN(auto answers, eligibility_.CheckMany(queries));
  for (size_t i = 0; i < codes.size(); ++i) {
    for (const auto& r : (answers)[i].reasons) {
      if (r.reason != "BARRED" && r.reason != "CANCELLED") continue;
      return RuleViolation(
          "APPLICANT_SANCTIONED", r.rule,
          absl::StrCat(codes[i] == codes.front() ? "the applicant " : "consortium member ",
                       codes[i], " may not apply: ", r.message),
          absl::StrCat(codes[i], " 处于禁入期或本年度资格已取消，不能申报（", r.rule, "）"));
    }
  }
  return absl::OkStatus();
}

grpc::Status ReviewHandlers::SubmitApplication(grpc::ServerContext* ctx,
                                               const v1::SubmitApplicationRequest* req,
                                               v1::Application* resp) {
  return Serve(
      ctx, proof_, FullMethod("SubmitApplication"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kInstitution}));
        Violations v;
        auto ref = ParseApplicationName(req->name(), "name");
        v.Absorb(ref.status());
        v.Absorb(CheckVersion(req->version()));
        RETURN_IF_ERROR(v.Finish());
        const absl::CivilDay today = Today();
        // Barred or cancelled applicants are refused before anything is locked (no peer call
        // inside a transaction); the applicant of an application never changes.
        ASSIGN_OR_RETURN(auto current, store_.GetApplication(ref->call_id, ref->id));
        if (call.principal.credit_code == current.app.profile().credit_code()) {
          RETURN_IF_ERROR(CheckApplicantsNotSanctioned(current.app));
        }
        auto out = store_.MutateApplication(
            ChangeOf(call), ref->call_id, ref->id, req->version(),
            [&](db::Connection& c, const v1::Call& pc, StoredApplication& app) -> absl::Status {
              if (call.principal.credit_code != app.app.profile().credit_code()) {
                return server::Forbidden("NOT_OWN_APPLICATION",
                                         "only the applicant (the lead) submits",
                                         "只有申报单位（牵头单位）可以提交申报");
              }
              RETURN_IF_ERROR(RequireDraft(app));
              auto domain = CallFromProto(pc, application_rules_);
              if (!domain.ok()) return domain.status();
              RETURN_IF_ERROR(CheckSubmissionWindow(*domain, today));
              auto docs = store_.DocumentPurposes(c, app.id);
              if (!docs.ok()) return docs.status();
              std::vector<std::pair<QualityAspect, std::string>> qc;
              for (const auto& [purpose, id] : *docs) {
                if (auto aspect = AspectOfPurpose(purpose))
                  qc.push_back({*aspect, absl::StrCat(id)});
              }
              auto checklist = ComputeChecklist(*domain, FactsFromProto(app.app, qc));
              if (!checklist.ok()) return checklist.status();
              app.checklist = ChecklistToProto(*checklist);
              app.app.set_state(v1::SUBMITTED);
              return absl::OkStatus();
            });
        if (!out.ok()) return out.status();
        *resp = std::move(out->app);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::GetEligibilityChecklist(grpc::ServerContext* ctx,
                                                     const v1::GetEligibilityChecklistRequest* req,
                                                     v1::EligibilityChecklist* resp) {
  return Serve(
      ctx, proof_, FullMethod("GetEligibilityChecklist"),
      [&](const server::Call& call) -> absl::Status {
        ASSIGN_OR_RETURN(auto ref, ParseApplicationName(req->name(), "name", "/checklist"));
        auto out = ReadApplication(store_, call, ref.call_id, ref.id);
        if (!out.ok()) return out.status();
        if (!out->app.checklist) {
          return RuleViolation("APPLICATION_NOT_SUBMITTED", "R5",
                               "the checklist is computed when the application is submitted",
                               "申报提交后才生成资格审查清单");
        }
        *resp = std::move(*out->app.checklist);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::DecideChecklistItem(grpc::ServerContext* ctx,
                                                 const v1::DecideChecklistItemRequest* req,
                                                 v1::EligibilityChecklist* resp) {
  return Serve(
      ctx, proof_, FullMethod("DecideChecklistItem"),
      [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto ref = ParseApplicationName(req->name(), "name", "/checklist");
        v.Absorb(ref.status());
        v.Absorb(CheckVersion(req->version()));
        v.Absorb(core::ValidateText(req->reason(), "reason", 1, 500, "R5"));
        static const std::set<std::string> kRules = {"R5.1", "R5.2", "R5.3", "R5.4"};
        if (!kRules.count(req->rule_id()))
          v.Add("rule_id", "R5", "rule_id must be R5.1, R5.2, R5.3 or R5.4");
        const auto direction = DirectionFromProto(req->direction());
        if (req->rule_id() == "R5.2" && !direction) {
          v.Add("direction", "R5.2", "an R5.2 line is per direction: name CONSULTING or TRAINING");
        }
        if (req->rule_id() != "R5.2" && req->direction() != common::v1::DIRECTION_UNSPECIFIED) {
          v.Add("direction", "R5", "only R5.2 lines have a direction");
        }
        RETURN_IF_ERROR(v.Finish());
        const std::string now = store_.Now();
        auto out = store_.MutateApplication(
            ChangeOf(call), ref->call_id, ref->id, req->version(),
            [&](db::Connection& c, const v1::Call& pc, StoredApplication& app) -> absl::Status {
              RETURN_IF_ERROR(MayManageCall(call.principal, pc));
              if (pc.state() != v1::OPEN && pc.state() != v1::CLOSED &&
                  pc.state() != v1::REVIEWING) {
                return RuleViolation(
                    "CHECKLIST_FINAL", "R5",
                    "checklist lines can be decided until the public notice starts",
                    "公示开始后不能再修改资格审查结果");
              }
              if (!app.checklist) {
                return RuleViolation("APPLICATION_NOT_SUBMITTED", "R5",
                                     "only a submitted application has a checklist",
                                     "申报尚未提交");
              }
              ASSIGN_OR_RETURN(auto domain, ChecklistFromProto(*app.checklist));
              BureauDecision decision{req->rule_id(),
                                      req->rule_id() == "R5.2" ? direction : std::nullopt,
                                      req->pass(), req->reason()};
              auto next = ApplyDecision(domain, decision);
              if (!next.ok()) return next.status();
              v1::EligibilityChecklist updated = ChecklistToProto(*next);
              // Keep who decided the other lines and when; stamp the line decided now.
              for (int i = 0; i < updated.lines_size() && i < app.checklist->lines_size(); ++i) {
                auto* line = updated.mutable_lines(i);
                const auto& before = app.checklist->lines(i);
                const bool this_line = line->rule_id() == decision.rule_id &&
                                       DirectionFromProto(line->direction()) == decision.direction;
                if (this_line) {
                  line->mutable_decision()->set_decided_by(call.principal.subject);
                  if (auto ts = wire::TimestampFromText(now))
                    *line->mutable_decision()->mutable_decide_time() = *ts;
                } else if (before.has_decision()) {
                  *line->mutable_decision() = before.decision();
                }
              }
              app.checklist = std::move(updated);
              // A changed eligibility makes an earlier selection stale.
              return store_.ReplaceSelections(c, ref->call_id, {});
            });
        if (!out.ok()) return out.status();
        *resp = std::move(*out->checklist);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::review
