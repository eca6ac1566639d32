// Expert review (R7.1): the pool, assignment with the conflict rules, score sheets, selection.
#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "libs/core/contact.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/server/idempotency.h"
#include "services/review/access.h"
#include "services/review/domain/assignment.h"
#include "services/review/domain/conflict.h"
#include "services/review/domain/scoring.h"
#include "services/review/domain/selection.h"
#include "services/review/handlers.h"
#include "services/review/handlers_util.h"
#include "services/review/wire.h"

namespace zhigai::review {

using auth::Role;
using handlers::AfterId;
using handlers::ChangeOf;
using handlers::CheckRequestId;
using handlers::FullMethod;
using server::RequireRole;
using server::Serve;

namespace {

bool EligibleIn(const StoredApplication& a, int direction) {
  for (const auto& r : a.app.results()) {
    if (r.direction() == direction && r.eligibility() == v1::ELIGIBLE) return true;
  }
  return false;
}

bool EligibleAny(const StoredApplication& a) {
  for (const auto& r : a.app.results()) {
    if (r.eligibility() == v1::ELIGIBLE) return true;
  }
  return false;
}

absl::Status ValidateExpert(const v1::Expert& e) {
  Violations v;
  v.Absorb(core::ValidateLine(e.display_name(), "expert.display_name", 1, 50, "FORMAT"));
  v.Absorb(core::ValidateLine(e.subject(), "expert.subject", 1, 128, "FORMAT"));
  if (!e.employer_credit_code().empty()) {
    v.Absorb(core::ValidateCreditCode(e.employer_credit_code(), "expert.employer_credit_code"));
  }
  for (int i = 0; i < e.declared_ties_size(); ++i) {
    v.Absorb(core::ValidateCreditCode(e.declared_ties(i),
                                      absl::StrCat("expert.declared_ties[", i, "]")));
  }
  for (int i = 0; i < e.fields_size(); ++i) {
    v.Absorb(
        core::ValidateLine(e.fields(i), absl::StrCat("expert.fields[", i, "]"), 1, 50, "FORMAT"));
  }
  if (!e.phone().empty()) v.Absorb(core::ValidatePhone(e.phone(), "expert.phone"));
  if (!e.email().empty()) v.Absorb(core::ValidateEmail(e.email(), "expert.email"));
  return v.Finish("专家信息有误");
}

ReviewedApplication Reviewed(const StoredApplication& a) {
  return {a.app.name(), ApplicantFromProto(a.app)};
}

void FillAssignments(const std::vector<std::pair<int64_t, int64_t>>& pairs, int64_t call_id,
                     v1::AssignExpertsResponse* resp) {
  std::map<int64_t, v1::Assignment*> by_app;
  for (const auto& [app, expert] : pairs) {
    auto& slot = by_app[app];
    if (!slot) {
      slot = resp->add_assignments();
      slot->set_application(ApplicationName(call_id, app));
    }
    slot->add_experts(absl::StrCat("experts/", expert));
  }
}

}  // namespace

grpc::Status ReviewHandlers::CreateExpert(grpc::ServerContext* ctx,
                                          const v1::CreateExpertRequest* req, v1::Expert* resp) {
  return Serve(
      ctx, proof_, FullMethod("CreateExpert"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        v.Absorb(CheckRequestId(req->request_id()));
        v.Absorb(ValidateExpert(req->expert()));
        RETURN_IF_ERROR(v.Finish("专家信息有误"));
        v1::Expert e = req->expert();
        e.clear_name();
        e.clear_version();
        e.clear_create_time();
        ASSIGN_OR_RETURN(
            *resp, store_.CreateExpert(ChangeOf(call), server::IdempotencyKey(call, *req), e));
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::ListExperts(grpc::ServerContext* ctx,
                                         const v1::ListExpertsRequest* req,
                                         v1::ListExpertsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListExperts"),
               [&](const server::Call& call) -> absl::Status {
                 // The pool holds personal data: bureaus only.
                 if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}); !s.ok())
                   return s;
                 Violations v;
                 auto size = db::PageSize(req->page_size());
                 v.Absorb(size.status());
                 auto after = AfterId(req->page_token());
                 v.Absorb(after.status());
                 RETURN_IF_ERROR(v.Finish());
                 ASSIGN_OR_RETURN(auto rows, store_.ListExperts(*after, *size + 1));
                 for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
                   *resp->add_experts() = std::move((rows)[i]);
                 }
                 if (static_cast<int>(rows.size()) > *size) {
                   const std::string& last = resp->experts(*size - 1).name();
                   resp->set_next_page_token(db::EncodePageToken(last.substr(last.rfind('/') + 1)));
                 }
                 return absl::OkStatus();
               });
}

grpc::Status ReviewHandlers::AssignExperts(grpc::ServerContext* ctx,
                                           const v1::AssignExpertsRequest* req,
                                           v1::AssignExpertsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("AssignExperts"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        ASSIGN_OR_RETURN(auto call_id, ParseCallName(req->call(), "call"));
        Violations v;
        for (int i = 0; i < req->assignments_size(); ++i) {
          const auto& a = req->assignments(i);
          auto ref = ParseApplicationName(a.application(),
                                          absl::StrCat("assignments[", i, "].application"));
          v.Absorb(ref.status());
          if (ref.ok() && ref->call_id != call_id) {
            v.Add(absl::StrCat("assignments[", i, "].application"), "R7.1",
                  "the application belongs to another call");
          }
          if (a.experts().empty())
            v.Add(absl::StrCat("assignments[", i, "].experts"), "R7.1", "name experts");
          for (int j = 0; j < a.experts_size(); ++j) {
            v.Absorb(
                ParseExpertName(a.experts(j), absl::StrCat("assignments[", i, "].experts[", j, "]"))
                    .status());
          }
        }
        RETURN_IF_ERROR(v.Finish());
        auto c = store_.GetCall(call_id);
        if (!c.ok()) return c.status();
        RETURN_IF_ERROR(MayManageCall(call.principal, *c));
        if (c->state() != v1::REVIEWING) {
          return RuleViolation("CALL_NOT_REVIEWING", "R7.1",
                               "experts are assigned while the call is REVIEWING",
                               "征集通知不在评审阶段");
        }
        auto apps = store_.ApplicationsOfCall(call_id);
        if (!apps.ok()) return apps.status();
        auto existing = store_.Assignments(call_id);
        if (!existing.ok()) return existing.status();
        auto pool = store_.ListExperts(0, 1000000);
        if (!pool.ok()) return pool.status();
        std::map<int64_t, const StoredApplication*> app_by_id;
        for (const auto& a : *apps) app_by_id[a.id] = &a;
        std::map<int64_t, const v1::Expert*> expert_by_id;
        for (const auto& e : *pool) expert_by_id[*ParseExpertName(e.name(), "name")] = &e;
        std::map<int64_t, int> load;  // experts already on each application
        for (const auto& [app, expert] : *existing) ++load[app];

        std::vector<std::pair<int64_t, int64_t>> pairs;
        if (req->assignments().empty()) {
          // Automatic: every eligible application that has no expert yet (R7.1).
          std::vector<ReviewedApplication> todo;
          for (const auto& a : *apps) {
            if (EligibleAny(a) && load[a.id] == 0) todo.push_back(Reviewed(a));
          }
          std::vector<Expert> experts;
          for (const auto& e : *pool) experts.push_back(ExpertFromProto(e));
          auto plan = review::AssignExperts(experts, todo, c->experts_per_application());
          if (!plan.ok()) return plan.status();
          for (const auto& a : *plan) {
            int64_t app = ParseApplicationName(a.application_id, "application")->id;
            for (const auto& e : a.expert_ids)
              pairs.push_back({app, *ParseExpertName(e, "expert")});
          }
        } else {
          std::set<std::pair<int64_t, int64_t>> have(existing->begin(), existing->end());
          for (int i = 0; i < req->assignments_size(); ++i) {
            const auto& a = req->assignments(i);
            int64_t app_id = ParseApplicationName(a.application(), "application")->id;
            auto app = app_by_id.find(app_id);
            if (app == app_by_id.end()) {
              return Error(absl::StatusCode::kNotFound, "NOT_FOUND",
                           absl::StrCat("application ", a.application(), " not found"),
                           "申报不存在");
            }
            if (!EligibleAny(*app->second)) {
              return RuleViolation("APPLICATION_NOT_ELIGIBLE", "R7.1",
                                   absl::StrCat(a.application(),
                                                " did not pass R5 in any direction; experts review "
                                                "eligible applications only"),
                                   "该申报未通过资格审查，不进入专家评审");
            }
            for (const auto& name : a.experts()) {
              int64_t expert_id = *ParseExpertName(name, "expert");
              auto expert = expert_by_id.find(expert_id);
              if (expert == expert_by_id.end()) {
                return Error(absl::StatusCode::kNotFound, "NOT_FOUND",
                             absl::StrCat("expert ", name, " not found"), "专家不存在");
              }
              RETURN_IF_ERROR(
                  CheckConflict(ExpertFromProto(*expert->second), Reviewed(*app->second)));
              if (have.insert({app_id, expert_id}).second) {
                pairs.push_back({app_id, expert_id});
                ++load[app_id];
              }
            }
            if (load[app_id] > c->experts_per_application()) {
              return RuleViolation(
                  "TOO_MANY_EXPERTS", "R7.1",
                  absl::StrCat(a.application(), " would have ", load[app_id],
                               " experts; the call sets ", c->experts_per_application()),
                  "分配的专家人数超过征集通知规定");
            }
          }
        }
        RETURN_IF_ERROR(store_.InsertAssignments(ChangeOf(call), call_id, pairs));
        auto all = store_.Assignments(call_id);
        if (!all.ok()) return all.status();
        FillAssignments(*all, call_id, resp);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::SubmitExpertScores(grpc::ServerContext* ctx,
                                                const v1::SubmitExpertScoresRequest* req,
                                                v1::ExpertScoreSheet* resp) {
  return Serve(
      ctx, proof_, FullMethod("SubmitExpertScores"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kExpert}));
        const auto& sheet = req->sheet();
        Violations v;
        auto ref = ParseApplicationName(sheet.application(), "sheet.application");
        v.Absorb(ref.status());
        auto direction = DirectionFromProto(sheet.direction());
        if (!direction)
          v.Add("sheet.direction", "R7.1", "direction must be CONSULTING or TRAINING");
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto expert_id, store_.ExpertIdOfSubject(call.principal.subject));
        auto assigned = expert_id.has_value() ? store_.IsAssigned(ref->id, *expert_id)
                                              : absl::StatusOr<bool>(false);
        if (!assigned.ok()) return assigned.status();
        if (!*assigned) {
          return Error(absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED",
                       "an expert scores only the applications assigned to them",
                       "专家只能评审分配给本人的申报", "R7.1");
        }
        auto c = store_.GetCall(ref->call_id);
        if (!c.ok()) return c.status();
        auto app = store_.GetApplication(ref->call_id, ref->id);
        if (!app.ok()) return app.status();
        if (!EligibleIn(*app, sheet.direction())) {
          return RuleViolation("DIRECTION_NOT_ELIGIBLE", "R7.1",
                               absl::StrCat("the application is not eligible in ",
                                            common::v1::Direction_Name(sheet.direction()),
                                            "; only eligible directions are scored"),
                               "该申报在此方向未通过资格审查，无需评分");
        }
        auto domain = CallShapeFromProto(*c);
        if (!domain.ok()) return domain.status();
        std::vector<CriterionScore> scores;
        for (const auto& s : sheet.scores())
          scores.push_back({s.criterion(), s.score_hundredths()});
        auto weighted = WeightedScore(*domain, scores);
        if (!weighted.ok()) return weighted.status();
        v1::ExpertScoreSheet stored = sheet;
        stored.set_expert(absl::StrCat("experts/", *expert_id));
        stored.set_weighted_ten_thousandths(*weighted);
        auto out = store_.SaveScoreSheet(ChangeOf(call), ref->call_id, ref->id, *expert_id, stored);
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status ReviewHandlers::SelectApplicants(grpc::ServerContext* ctx,
                                              const v1::SelectApplicantsRequest* req,
                                              v1::SelectionResult* resp) {
  return Serve(
      ctx, proof_, FullMethod("SelectApplicants"), [&](const server::Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        ASSIGN_OR_RETURN(auto call_id, ParseCallName(req->call(), "call"));
        v1::SelectionResult result;
        auto out = store_.MutateCall(
            ChangeOf(call), call_id, 0, [&](db::Connection& c, v1::Call& current) -> absl::Status {
              result.Clear();  // the transaction may run again after a serialization failure
              RETURN_IF_ERROR(MayManageCall(call.principal, current));
              if (current.state() != v1::REVIEWING) {
                return RuleViolation("CALL_NOT_REVIEWING", "R7.1",
                                     "the selection is made while the call is REVIEWING",
                                     "征集通知不在评审阶段");
              }
              auto domain = CallShapeFromProto(current);
              if (!domain.ok()) return domain.status();
              auto apps = store_.ApplicationsOfCall(c, call_id);
              if (!apps.ok()) return apps.status();
              auto assignments = store_.Assignments(c, call_id);
              if (!assignments.ok()) return assignments.status();
              auto sheets = store_.ScoreSheets(c, call_id);
              if (!sheets.ok()) return sheets.status();
              std::map<int64_t, std::set<int64_t>> experts_of;
              for (const auto& [app, expert] : *assignments) experts_of[app].insert(expert);
              std::map<std::pair<int64_t, std::string>, std::vector<ExpertScoreSheet>> by_app_dir;
              for (const auto& row : *sheets) {
                ExpertScoreSheet sheet;
                sheet.expert_id = absl::StrCat(row.expert_id);
                for (const auto& s : row.sheet.scores()) {
                  sheet.scores.push_back({s.criterion(), s.score_hundredths()});
                }
                by_app_dir[{row.application_id, row.direction}].push_back(std::move(sheet));
              }
              std::map<std::string, const StoredApplication*> by_name;
              for (const auto& a : *apps) by_name[a.app.name()] = &a;
              std::vector<SelectionRow> rows;
              result.set_call(current.name());
              std::vector<std::string> incomplete;
              for (const auto& rules : domain->directions) {
                const std::string dir(DirectionName(rules.direction));
                const int dir_proto = DirectionToProto(rules.direction);
                std::vector<ScoredApplication> scored;
                for (const auto& a : *apps) {
                  if (!EligibleIn(a, dir_proto)) continue;
                  const auto& list = by_app_dir[{a.id, dir}];
                  // Decision (R7.1): every assigned expert scores before the selection is made.
                  if (experts_of[a.id].empty() || list.size() < experts_of[a.id].size()) {
                    incomplete.push_back(absl::StrCat(a.app.name(), " (", dir, ": ", list.size(),
                                                      " of ", experts_of[a.id].size(),
                                                      " experts)"));
                    continue;
                  }
                  auto score = ComputeApplicationScore(*domain, list);
                  if (!score.ok()) return score.status();
                  scored.push_back({a.app.name(), *score});
                }
                if (!incomplete.empty()) continue;
                auto selection = review::SelectApplicants(*domain, rules.direction, scored);
                if (!selection.ok()) return selection.status();
                v1::DirectionSelection* ds = result.add_directions();
                ds->set_direction(DirectionToProto(rules.direction));
                ds->set_boundary_tie(selection->boundary_tie);
                ds->set_selected_count(selection->selected_count);
                for (const auto& r : selection->ranking) {
                  const StoredApplication* a = by_name[r.application_id];
                  v1::RankedApplicant* ra = ds->add_ranking();
                  ra->set_application(r.application_id);
                  ra->set_credit_code(a->app.profile().credit_code());
                  ra->set_display_name(a->app.profile().display_name());
                  ra->set_score_hundredths(r.score.RoundedHundredths());
                  ra->set_experts_counted(r.score.experts_counted);
                  ra->set_experts_scored(r.score.experts_scored);
                  ra->set_rank(r.rank);
                  ra->set_selected(r.selected);
                  rows.push_back({a->id, dir, r.score.sum_ten_thousandths, r.score.experts_counted,
                                  r.score.experts_scored, r.rank, r.selected,
                                  selection->boundary_tie});
                }
              }
              if (!incomplete.empty()) {
                return RuleViolation("SCORES_INCOMPLETE", "R7.1",
                                     absl::StrCat("not every assigned expert has scored: ",
                                                  absl::StrJoin(incomplete, ", ")),
                                     "尚有专家未完成评分，不能遴选");
              }
              return store_.ReplaceSelections(c, call_id, rows);
            });
        if (!out.ok()) return out.status();
        *resp = std::move(result);
        return absl::OkStatus();
      });
}

}  // namespace zhigai::review
