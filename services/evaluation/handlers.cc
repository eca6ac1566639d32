#include "services/evaluation/handlers.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/request_kit.h"
#include "libs/server/serve.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/round_states.h"
#include "services/evaluation/what_if.h"

namespace zhigai::evaluation {
namespace {

using auth::Role;
using server::Call;
using server::ChangeOf;
using server::CheckVersion;
using server::RequireRole;
using server::Serve;

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::EvaluationService::service_full_name(), name);
}

constexpr int kMaxDefenceEntries = 1000;
constexpr int kMaxPanelMembers = 1000;
constexpr int64_t kMaxDefenceHundredths = 100 * 100;
constexpr size_t kExportChunk = 1 << 20;

// A round's year Y needs its projects' year Y−1 in range too.
absl::Status CheckYear(int64_t year, absl::string_view field) {
  return server::CheckYear(year, field, core::kMinBusinessYear + 1);
}

// "evaluationRounds/{year}" → year.
absl::StatusOr<int> YearFromName(const std::string& name, absl::string_view field) {
  constexpr absl::string_view kPrefix = "evaluationRounds/";
  int64_t year = 0;
  if (!absl::StartsWith(name, kPrefix) ||
      !absl::SimpleAtoi(absl::string_view(name).substr(kPrefix.size()), &year)) {
    return InvalidField(field, "AIP-122", "name must look like evaluationRounds/{year}",
                        "资源名称格式应为 evaluationRounds/{年度}");
  }
  RETURN_IF_ERROR(CheckYear(year, field));
  return static_cast<int>(year);
}

// "evaluationRounds/{year}/scoreSheets/{credit_code}" → (year, code).
absl::StatusOr<std::pair<int, std::string>> SheetFromName(const std::string& name) {
  size_t at = name.find("/scoreSheets/");
  if (at == std::string::npos) {
    return InvalidField("name", "AIP-122",
                        "name must look like evaluationRounds/{year}/scoreSheets/{credit_code}",
                        "资源名称格式有误");
  }
  ASSIGN_OR_RETURN(auto year, YearFromName(name.substr(0, at), "name"));
  std::string code = name.substr(at + strlen("/scoreSheets/"));
  RETURN_IF_ERROR(core::ValidateCreditCode(code, "name"));
  return std::make_pair(year, code);
}

// Defined with the objection handlers below.
absl::StatusOr<WhatIfRound> LoadAsRanked(EvaluationStore& store, MetricSources& sources,
                                         const std::vector<ScoreRules>& rules, int year);

absl::Status NotPublished() {
  return server::Forbidden("ROUND_NOT_PUBLISHED",
                           "the evaluation results are readable once the round is published",
                           "考核结果公布后方可查看");
}

absl::Status NotRanked() {
  return RuleViolation("ROUND_NOT_RANKED", "R10.1", "the round has no score sheets before ranking",
                       "尚未排名，暂无评分表");
}

bool IsBureauOrService(const Call& c) {
  return c.principal.IsBureau() || c.principal.role == Role::kService;
}

// The pulled figures must be scorable before they are kept, so that ranking a frozen snapshot
// cannot fail on them later.
absl::Status CheckScorable(const PulledSnapshot& snapshot, const ScoreRules& rules) {
  static const std::vector<int64_t> kNoDefence;
  for (const SnapshotInstitution& in : snapshot.institutions) {
    absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(ToInput(in, kNoDefence), rules);
    if (sheet.ok()) continue;
    std::string fields;
    for (const FieldViolation& v : ViolationsOf(sheet.status())) {
      absl::StrAppend(&fields, fields.empty() ? "" : "; ", v.field, ": ", v.description);
    }
    return RuleViolation(
        "SOURCE_DATA_INVALID", "R11.1",
        absl::StrCat("the figures pulled for ", in.credit_code, " cannot be scored (",
                     fields.empty() ? sheet.status().message() : fields, "); nothing was stored"),
        "来源数据无法计分，本次拉取未保存");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status EvaluationHandlers::CreateRound(grpc::ServerContext* ctx,
                                             const v1::CreateRoundRequest* req, v1::Round* resp) {
  return Serve(ctx, proof_, FullMethod("CreateRound"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    v.Absorb(CheckYear(req->year(), "year"));
    v.Absorb(core::ValidateLine(req->request_id(), "request_id", 1, 64, "AIP-155"));
    RETURN_IF_ERROR(v.Finish());
    // The rules in force for the year, recorded with the round (issue 26).
    ASSIGN_OR_RETURN(const ScoreRules* rules, RulesForYear(rules_, req->year()));
    ASSIGN_OR_RETURN(
        *resp, store_.CreateRound(ChangeOf(call), server::IdempotencyKey(call, *req), req->year(),
                                  req->include_previous_directory(), rules->version));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::GetRound(grpc::ServerContext* ctx, const v1::GetRoundRequest* req,
                                          v1::Round* resp) {
  return Serve(ctx, proof_, FullMethod("GetRound"), [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto year, YearFromName(req->name(), "name"));
    auto out = store_.GetRound(year);
    if (!out.ok()) return out.status();
    if (!IsBureauOrService(call) && out->state() != v1::PUBLISHED) return NotPublished();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::PullMetrics(grpc::ServerContext* ctx,
                                             const v1::PullMetricsRequest* req,
                                             v1::Snapshot* resp) {
  return Serve(ctx, proof_, FullMethod("PullMetrics"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    ASSIGN_OR_RETURN(auto year, YearFromName(req->round(), "round"));
    auto round = store_.GetRound(year);
    if (!round.ok()) return round.status();
    // Refuse before asking four services for figures that could not be kept; the store checks
    // again under the round's lock.
    RETURN_IF_ERROR(CheckStep(round->state(), Step::kPull));
    auto snapshot = sources_.Pull(year, round->include_previous_directory());
    if (!snapshot.ok()) return snapshot.status();
    ASSIGN_OR_RETURN(const ScoreRules* rules, RulesVersion(rules_, round->rule_version()));
    RETURN_IF_ERROR(CheckScorable(*snapshot, *rules));
    ASSIGN_OR_RETURN(*resp, store_.ReplaceSnapshot(ChangeOf(call), year, *snapshot));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::GetSnapshot(grpc::ServerContext* ctx,
                                             const v1::GetSnapshotRequest* req,
                                             v1::Snapshot* resp) {
  return Serve(ctx, proof_, FullMethod("GetSnapshot"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    ASSIGN_OR_RETURN(auto year, YearFromName(req->round(), "round"));
    ASSIGN_OR_RETURN(*resp, store_.GetSnapshot(year));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::FreezeSnapshot(grpc::ServerContext* ctx,
                                                const v1::FreezeSnapshotRequest* req,
                                                v1::Round* resp) {
  return Serve(ctx, proof_, FullMethod("FreezeSnapshot"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    auto year = YearFromName(req->round(), "round");
    v.Absorb(year.status());
    v.Absorb(CheckVersion(req->version()));
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(*resp, store_.Freeze(ChangeOf(call), *year, req->version()));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::RecordDefenceScores(grpc::ServerContext* ctx,
                                                     const v1::RecordDefenceScoresRequest* req,
                                                     v1::Round* resp) {
  return Serve(
      ctx, proof_, FullMethod("RecordDefenceScores"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
        Violations v;
        auto year = YearFromName(req->round(), "round");
        v.Absorb(year.status());
        if (req->entries().empty() || req->entries_size() > kMaxDefenceEntries) {
          v.Add("entries", "AIP-231", "send between 1 and 1000 entries");
        }
        std::set<std::string> seen;
        std::vector<DefenceEntryInput> entries;
        for (int i = 0; i < req->entries_size() && i < kMaxDefenceEntries; ++i) {
          const v1::DefenceEntry& e = req->entries(i);
          std::string path = absl::StrCat("entries[", i, "]");
          v.Absorb(core::ValidateCreditCode(e.credit_code(), path + ".credit_code"));
          if (!seen.insert(e.credit_code()).second) {
            v.Add(path + ".credit_code", "S3", "an institution is listed twice");
          }
          if (e.member_scores_hundredths_size() > kMaxPanelMembers) {
            v.Add(path + ".member_scores_hundredths", "S3", "at most 1000 panel members");
          }
          for (int j = 0; j < e.member_scores_hundredths_size(); ++j) {
            int64_t s = e.member_scores_hundredths(j);
            if (s < 0 || s > kMaxDefenceHundredths) {
              v.Add(absl::StrCat(path, ".member_scores_hundredths[", j, "]"), "S3",
                    "a defence score is out of 100: 0 to 10000 hundredths");
            }
          }
          entries.push_back(
              {e.credit_code(),
               {e.member_scores_hundredths().begin(), e.member_scores_hundredths().end()}});
        }
        RETURN_IF_ERROR(v.Finish("答辩成绩有误"));
        ASSIGN_OR_RETURN(*resp, store_.RecordDefence(ChangeOf(call), *year, entries));
        return absl::OkStatus();
      });
}

grpc::Status EvaluationHandlers::ComputeRanking(grpc::ServerContext* ctx,
                                                const v1::ComputeRankingRequest* req,
                                                v1::Round* resp) {
  return Serve(ctx, proof_, FullMethod("ComputeRanking"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    auto year = YearFromName(req->round(), "round");
    v.Absorb(year.status());
    v.Absorb(CheckVersion(req->version()));
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto inputs, store_.LoadInputs(*year));
    RETURN_IF_ERROR(CheckStep(inputs.state, Step::kRank));
    if (inputs.version != req->version()) {
      return Error(absl::StatusCode::kAborted, "STALE_VERSION",
                   absl::StrCat("the round was changed by someone else: you sent version ",
                                req->version(), ", the current version is ", inputs.version),
                   "考核已被他人修改，请刷新后重试");
    }
    // RULES.md S4 (2026-12): the sanctions in force in Y as they are now, not as pulled.
    auto sanctions = sources_.Sanctions(*year);
    if (!sanctions.ok()) return sanctions.status();
    std::set<std::string> codes;
    for (const InstitutionInput& in : inputs.inputs) codes.insert(in.credit_code);
    ApplyCurrentSanctions(*sanctions, inputs.inputs);
    if (auto s = CheckDefenceEntries(inputs.inputs, inputs.with_defence_entry); !s.ok()) {
      return s;
    }
    ASSIGN_OR_RETURN(const ScoreRules* rules, RulesVersion(rules_, inputs.rule_version));
    auto computed = ComputeRound(*year, inputs.inputs, *rules);
    if (!computed.ok()) return computed.status();
    ASSIGN_OR_RETURN(*resp, store_.StoreRanking(ChangeOf(call), *year, inputs.version, *computed,
                                                SanctionFingerprint(*sanctions, codes)));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::PublishRound(grpc::ServerContext* ctx,
                                              const v1::PublishRoundRequest* req, v1::Round* resp) {
  return Serve(ctx, proof_, FullMethod("PublishRound"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    Violations v;
    auto year = YearFromName(req->round(), "round");
    v.Absorb(year.status());
    v.Absorb(CheckVersion(req->version()));
    RETURN_IF_ERROR(v.Finish());
    // Read the sanctions again: a publication is refused if they changed since the ranking.
    ASSIGN_OR_RETURN(auto inputs, store_.LoadInputs(*year));
    auto sanctions = sources_.Sanctions(*year);
    if (!sanctions.ok()) return sanctions.status();
    std::set<std::string> codes;
    for (const InstitutionInput& in : inputs.inputs) codes.insert(in.credit_code);
    ASSIGN_OR_RETURN(*resp, store_.Publish(ChangeOf(call), *year, req->version(),
                                           SanctionFingerprint(*sanctions, codes)));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::GetScoreSheet(grpc::ServerContext* ctx,
                                               const v1::GetScoreSheetRequest* req,
                                               v1::ScoreSheet* resp) {
  return Serve(ctx, proof_, FullMethod("GetScoreSheet"), [&](const Call& call) -> absl::Status {
    const bool bureau = IsBureauOrService(call);
    if (!bureau) {
      RETURN_IF_ERROR(RequireRole(
          call, {Role::kCityBureau, Role::kCountyBureau, Role::kService, Role::kInstitution}));
    }
    ASSIGN_OR_RETURN(auto name, SheetFromName(req->name()));
    auto& [year, code] = name;
    if (!bureau && call.principal.credit_code != code) {
      return server::Forbidden("NOT_OWN_INSTITUTION",
                               "an institution reads only its own score sheet",
                               "服务机构只能查看本单位的评分表");
    }
    auto round = store_.GetRound(year);
    if (!round.ok()) return round.status();
    if (!IsRanked(round->state())) return NotRanked();
    if (!bureau && round->state() != v1::PUBLISHED) return NotPublished();
    ASSIGN_OR_RETURN(*resp, store_.GetSheet(year, code));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ListScoreSheets(grpc::ServerContext* ctx,
                                                 const v1::ListScoreSheetsRequest* req,
                                                 v1::ListScoreSheetsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListScoreSheets"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    Violations v;
    auto year = YearFromName(req->parent(), "parent");
    v.Absorb(year.status());
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto round, store_.GetRound(*year));
    if (!IsRanked(round.state())) return NotRanked();
    auto rows = store_.ListSheets(*year, *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      *resp->add_score_sheets() = std::move((*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(resp->score_sheets(*size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ListRoundScope(grpc::ServerContext* ctx,
                                                const v1::ListRoundScopeRequest* req,
                                                v1::ListRoundScopeResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListRoundScope"), [&](const Call& call) -> absl::Status {
    Violations v;
    auto year = YearFromName(req->parent(), "parent");
    v.Absorb(year.status());
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto round, store_.GetRound(*year));
    // Bureaus and services at any state; once published the scope is public, like the ranking
    // it explains; before that an institution reads its own line only.
    std::string only;
    if (!IsBureauOrService(call) && round.state() != v1::PUBLISHED) {
      if (call.principal.role != Role::kInstitution) return NotPublished();
      only = call.principal.credit_code;
      if (only.empty()) {
        return server::Forbidden("NOT_OWN_INSTITUTION", "an institution reads only its own line",
                                 "服务机构只能查看本单位的评价范围");
      }
    }
    auto rows = store_.ListScope(*year, *after, only, req->left_out_only(), *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      *resp->add_decisions() = std::move((*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(resp->decisions(*size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ListDefenceScores(grpc::ServerContext* ctx,
                                                   const v1::ListDefenceScoresRequest* req,
                                                   v1::ListDefenceScoresResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListDefenceScores"), [&](const Call& call) -> absl::Status {
    const bool bureau = IsBureauOrService(call);
    if (!bureau) {
      RETURN_IF_ERROR(RequireRole(
          call, {Role::kCityBureau, Role::kCountyBureau, Role::kService, Role::kInstitution}));
    }
    Violations v;
    auto year = YearFromName(req->parent(), "parent");
    v.Absorb(year.status());
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    RETURN_IF_ERROR(v.Finish());
    auto round = store_.GetRound(*year);
    if (!round.ok()) return round.status();
    // An institution sees its own entry once the round is published, as its score sheet.
    if (!bureau && round->state() != v1::PUBLISHED) return NotPublished();
    const std::string only = bureau ? "" : call.principal.credit_code;
    if (!bureau && only.empty()) {
      return server::Forbidden("NOT_OWN_INSTITUTION", "an institution reads only its own entry",
                               "服务机构只能查看本单位的答辩评分");
    }
    ASSIGN_OR_RETURN(auto rows, store_.ListDefence(*year, *after, only, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      *resp->add_defences() = std::move((rows)[i]);
    }
    if (static_cast<int>(rows.size()) > *size) {
      resp->set_next_page_token(
          db::EncodePageToken(resp->defences(*size - 1).entry().credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ListRanking(grpc::ServerContext* ctx,
                                             const v1::ListRankingRequest* req,
                                             v1::ListRankingResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListRanking"), [&](const Call& call) -> absl::Status {
    Violations v;
    auto year = YearFromName(req->parent(), "parent");
    v.Absorb(year.status());
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto token = db::DecodePageToken(req->page_token());
    v.Absorb(token.status());
    int after = -1;
    if (token.ok() && !token->empty() && (!absl::SimpleAtoi(*token, &after) || after < 0)) {
      v.Add("page_token", "AIP-158", "bad page token");
    }
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(auto round, store_.GetRound(*year));
    if (!IsBureauOrService(call) && round.state() != v1::PUBLISHED) return NotPublished();
    if (!IsRanked(round.state())) return NotRanked();
    // An earlier publication stays readable after a corrected one (issue 26).
    int publication = req->publication();
    if (publication < 0 || publication > round.publication()) {
      return InvalidField(
          "publication", "R10.1",
          absl::StrCat("publication must be 0 (the current one) or 1..", round.publication()),
          "公布版本不存在");
    }
    if (publication == round.publication()) publication = 0;
    auto rows = store_.ListRanking(*year, req->excellent_only(), after, *size + 1, publication);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      *resp->add_entries() = RankingEntryOf((*rows)[i].second);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(absl::StrCat((*rows)[*size - 1].first)));
    }
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ExportScoreSheets(grpc::ServerContext* ctx,
                                                   const v1::ExportScoreSheetsRequest* req,
                                                   grpc::ServerWriter<v1::ExportChunk>* writer) {
  return Serve(ctx, proof_, FullMethod("ExportScoreSheets"), [&](const Call& call) -> absl::Status {
    Violations v;
    auto year = YearFromName(req->round(), "round");
    v.Absorb(year.status());
    if (req->format() == v1::EXPORT_FORMAT_UNSPECIFIED ||
        !v1::ExportFormat_IsValid(req->format())) {
      v.Add("format", "FORMAT", "format must be CSV or JSON");
    }
    if (!v1::ExportContent_IsValid(req->content())) v.Add("content", "FORMAT", "unknown content");
    RETURN_IF_ERROR(v.Finish());
    v1::ExportContent content =
        req->content() == v1::EXPORT_CONTENT_UNSPECIFIED ? v1::SCORE_SHEETS : req->content();
    const bool bureau = IsBureauOrService(call);
    // Every item of every sheet is for the bureaus; the ranking is public once published.
    if (content == v1::SCORE_SHEETS && !bureau) {
      RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    }
    ASSIGN_OR_RETURN(auto round, store_.GetRound(*year));
    if (!bureau && round.state() != v1::PUBLISHED) return NotPublished();
    if (!IsRanked(round.state())) return NotRanked();
    absl::StatusOr<std::string> body;
    if (content == v1::RANKING) {
      body = store_.GetExport(*year, "RANKING", v1::ExportFormat_Name(req->format()));
    } else {
      // Recomputed from the frozen snapshot and the defence scores, which cannot change once
      // ranked, with the exclusions the ranking used and the upheld objections' corrections:
      // byte-identical to the current publication's sheets by the replay guarantee.
      auto ranked = LoadAsRanked(store_, sources_, rules_, *year);
      if (!ranked.ok()) return ranked.status();
      body = ExportSheets(ranked->inputs, *ranked->rules, req->format() == v1::CSV);
    }
    if (!body.ok()) return body.status();
    size_t at = 0;
    do {
      v1::ExportChunk chunk;
      if (at == 0) {
        chunk.set_content_type(req->format() == v1::CSV ? "text/csv; charset=utf-8"
                                                        : "application/json");
        chunk.set_total_bytes(static_cast<int64_t>(body->size()));
      }
      size_t n = std::min(kExportChunk, body->size() - at);
      chunk.set_data(body->substr(at, n));
      at += n;
      if (!writer->Write(chunk)) {
        return absl::CancelledError("the client went away during the export");
      }
    } while (at < body->size());
    return absl::OkStatus();
  });
}

}  // namespace zhigai::evaluation

namespace zhigai::evaluation {

namespace {

// A round's inputs as its current ranking was computed from them: the exclusions its stored
// sheets record (sanctions as read when ranking) and every upheld objection's correction. A
// frozen round not ranked yet: the sanctions in force now, as ComputeRanking would read them.
absl::StatusOr<WhatIfRound> LoadAsRanked(EvaluationStore& store, MetricSources& sources,
                                         const std::vector<ScoreRules>& rules, int year) {
  WhatIfRound round;
  round.year = year;
  ASSIGN_OR_RETURN(RoundInputs inputs, store.LoadInputs(year));
  round.state = inputs.state;
  round.version = inputs.version;
  ASSIGN_OR_RETURN(round.rules, RulesVersion(rules, inputs.rule_version));
  round.inputs = std::move(inputs.inputs);
  if (round.state == v1::OPEN) return round;
  if (!IsRanked(round.state)) {
    ASSIGN_OR_RETURN(auto sanctions, sources.Sanctions(year));
    ApplyCurrentSanctions(sanctions, round.inputs);
    return round;
  }
  constexpr int kPage = 1000;
  for (int after = -1;;) {
    ASSIGN_OR_RETURN(auto rows, store.ListRanking(year, false, after, kPage));
    for (auto& [position, sheet] : rows) {
      after = position;
      std::string code = sheet.credit_code();
      round.recorded.emplace(std::move(code), std::move(sheet));
    }
    if (rows.size() < kPage) break;
  }
  for (InstitutionInput& in : round.inputs) {
    auto it = round.recorded.find(in.credit_code);
    if (it == round.recorded.end()) continue;
    ASSIGN_OR_RETURN(in.exclusion, ExclusionOfSheet(it->second));
    in.exclusion_sanction = it->second.exclusion_sanction();
  }
  ASSIGN_OR_RETURN(std::vector<v1::InputCorrection> upheld, store.UpheldCorrections(year));
  RETURN_IF_ERROR(ApplyStoredCorrections(upheld, round.inputs));
  return round;
}

absl::Status CheckExclusionsAgreeWithRegistry(
    MetricSources& sources, int year,
    const google::protobuf::RepeatedPtrField<v1::InputCorrection>& corrections) {
  std::vector<InstitutionInput> now;
  for (const v1::InputCorrection& c : corrections) {
    for (const std::string& path : c.update_mask().paths()) {
      if (path != "exclusion") continue;
      InstitutionInput in;
      in.credit_code = c.credit_code();
      now.push_back(std::move(in));
    }
  }
  if (now.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto sanctions, sources.Sanctions(year));
  ApplyCurrentSanctions(sanctions, now);
  for (int i = 0, k = 0; i < corrections.size(); ++i) {
    for (const std::string& path : corrections[i].update_mask().paths()) {
      if (path != "exclusion") continue;
      const std::string said = corrections[i].inputs().exclusion();
      if (ParseExclusion(said) != now[k].exclusion) {
        return RuleViolation(
            "EXCLUSION_DISAGREES_WITH_REGISTRY", "R14.5",
            absl::StrCat("corrections[", i, "].inputs.exclusion: \"", said,
                         "\" is not what the registry's sanctions in force in ", year, " say (\"",
                         DescribeExclusion(now[k].exclusion).reason,
                         "\"); lift or impose the sanction in the registry first"),
            "处理（禁入、取消资格）以名录服务为准，须先在名录中解除或作出处理");
      }
      ++k;
    }
  }
  return absl::OkStatus();
}

// "evaluationRounds/{year}/objections/{id}" → (year, id).
absl::StatusOr<std::pair<int, int64_t>> ObjectionFromName(const std::string& name) {
  const size_t at = name.find("/objections/");
  int64_t id = 0;
  if (at == std::string::npos || !absl::SimpleAtoi(absl::string_view(name).substr(at + 12), &id) ||
      id <= 0) {
    return InvalidField("name", "AIP-122",
                        "name must look like evaluationRounds/{year}/objections/{id}",
                        "资源名称格式应为 evaluationRounds/{年度}/objections/{编号}");
  }
  ASSIGN_OR_RETURN(int year, YearFromName(name.substr(0, at), "name"));
  return std::make_pair(year, id);
}

absl::Status NotOwnObjection() {
  return server::Forbidden("NOT_OWN_INSTITUTION",
                           "an institution files and reads only its own objections",
                           "服务机构只能对本单位的考核结果提出和查看异议");
}

}  // namespace

// Issue 26: reads the round as its ranking used it and simulates; writes nothing.
grpc::Status EvaluationHandlers::SimulateRanking(grpc::ServerContext* ctx,
                                                 const v1::SimulateRankingRequest* req,
                                                 v1::SimulateRankingResponse* resp) {
  return Serve(ctx, proof_, FullMethod("SimulateRanking"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
    WhatIfRound round;
    if (!req->round().empty()) {
      ASSIGN_OR_RETURN(int year, YearFromName(req->round(), "round"));
      ASSIGN_OR_RETURN(round, LoadAsRanked(store_, sources_, rules_, year));
      if (round.state == v1::OPEN) {
        return RuleViolation("ROUND_NOT_FROZEN", "R11.1",
                             "a what-if needs a frozen snapshot; freeze the round first",
                             "考核数据尚未冻结，无法模拟");
      }
      if (req->rule_version() != 0 && req->rule_version() != round.rules->version) {
        return InvalidField("rule_version", "R11.1",
                            absl::StrCat("rule_version: the round is scored under version ",
                                         round.rules->version, "; leave it 0"),
                            "考核年度已确定评分规则版本");
      }
    } else if (req->rule_version() == 0) {
      round.rules = &rules_.back();
    } else {
      auto rules = RulesVersion(rules_, req->rule_version());
      if (!rules.ok()) {
        return InvalidField("rule_version", "R11.1",
                            absl::StrCat("rule_version: there is no version ", req->rule_version(),
                                         " of the score-sheet rules"),
                            "评分规则版本不存在");
      }
      round.rules = *rules;
    }
    ASSIGN_OR_RETURN(*resp, evaluation::SimulateRanking(round, *req));
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::FileRoundObjection(grpc::ServerContext* ctx,
                                                    const v1::FileRoundObjectionRequest* req,
                                                    v1::RoundObjection* resp) {
  return Serve(
      ctx, proof_, FullMethod("FileRoundObjection"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kInstitution}));
        Violations v;
        auto year = YearFromName(req->parent(), "parent");
        v.Absorb(year.status());
        v.Absorb(core::ValidateCreditCode(req->objection().credit_code(), "objection.credit_code"));
        v.Absorb(
            core::ValidateText(req->objection().reason(), "objection.reason", 1, 2000, "R10.1"));
        v.Absorb(core::ValidateLine(req->request_id(), "request_id", 1, 64, "AIP-155"));
        RETURN_IF_ERROR(v.Finish());
        if (call.principal.role == Role::kInstitution &&
            call.principal.credit_code != req->objection().credit_code()) {
          return NotOwnObjection();
        }
        ASSIGN_OR_RETURN(
            *resp, store_.FileObjection(ChangeOf(call), server::IdempotencyKey(call, *req), *year,
                                        req->objection()));
        return absl::OkStatus();
      });
}

grpc::Status EvaluationHandlers::GetRoundObjection(grpc::ServerContext* ctx,
                                                   const v1::GetRoundObjectionRequest* req,
                                                   v1::RoundObjection* resp) {
  return Serve(ctx, proof_, FullMethod("GetRoundObjection"), [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kInstitution}));
    ASSIGN_OR_RETURN(auto name, ObjectionFromName(req->name()));
    ASSIGN_OR_RETURN(*resp, store_.GetObjection(name.first, name.second));
    if (call.principal.role == Role::kInstitution &&
        call.principal.credit_code != resp->credit_code()) {
      resp->Clear();
      return NotOwnObjection();
    }
    return absl::OkStatus();
  });
}

grpc::Status EvaluationHandlers::ListRoundObjections(grpc::ServerContext* ctx,
                                                     const v1::ListRoundObjectionsRequest* req,
                                                     v1::ListRoundObjectionsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListRoundObjections"),
               [&](const Call& call) -> absl::Status {
                 RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kInstitution}));
                 Violations v;
                 auto year = YearFromName(req->parent(), "parent");
                 v.Absorb(year.status());
                 auto size = db::PageSize(req->page_size());
                 v.Absorb(size.status());
                 auto after = server::AfterId(req->page_token());
                 v.Absorb(after.status());
                 RETURN_IF_ERROR(v.Finish());
                 const std::string only =
                     call.principal.role == Role::kInstitution ? call.principal.credit_code : "";
                 ASSIGN_OR_RETURN(auto rows, store_.ListObjections(*year, *after, only, *size + 1));
                 for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
                   *resp->add_objections() = std::move(rows[i]);
                 }
                 if (static_cast<int>(rows.size()) > *size) {
                   resp->set_next_page_token(
                       db::EncodePageToken(server::IdOf(resp->objections(*size - 1).name())));
                 }
                 return absl::OkStatus();
               });
}

grpc::Status EvaluationHandlers::DecideRoundObjection(grpc::ServerContext* ctx,
                                                      const v1::DecideRoundObjectionRequest* req,
                                                      v1::DecideRoundObjectionResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("DecideRoundObjection"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau}));
        Violations v;
        auto name = ObjectionFromName(req->name());
        v.Absorb(name.status());
        v.Absorb(CheckVersion(req->version()));
        v.Absorb(core::ValidateText(req->decision_note(), "decision_note", 1, 2000, "R10.1"));
        if (req->upheld() && req->corrections().empty()) {
          v.Add("corrections", "R10.1", "corrections: an upheld objection says what it corrects");
        }
        if (!req->upheld() && !req->corrections().empty()) {
          v.Add("corrections", "R10.1", "corrections: a rejected objection corrects nothing");
        }
        RETURN_IF_ERROR(v.Finish());
        const auto [year, id] = *name;
        if (!req->upheld()) {
          ASSIGN_OR_RETURN(*resp, store_.RejectObjection(ChangeOf(call), year, id, req->version(),
                                                         req->decision_note()));
          return absl::OkStatus();
        }
        ASSIGN_OR_RETURN(v1::RoundObjection objection, store_.GetObjection(year, id));
        Violations own;
        for (int i = 0; i < req->corrections_size(); ++i) {
          if (req->corrections(i).credit_code() != objection.credit_code()) {
            own.Add(absl::StrCat("corrections[", i, "].credit_code"), "R10.1",
                    absl::StrCat("corrections[", i,
                                 "].credit_code: an objection corrects the "
                                 "objecting institution's own inputs (",
                                 objection.credit_code(), ")"));
          }
        }
        RETURN_IF_ERROR(own.Finish());
        // Bars and cancellations are the registry's (R14.4, R14.5): a correction of the
        // exclusion may only follow what the registry says now (a sanction lifted there), never
        // lift or impose one in the ranking alone.
        RETURN_IF_ERROR(CheckExclusionsAgreeWithRegistry(sources_, year, req->corrections()));
        ASSIGN_OR_RETURN(WhatIfRound round, LoadAsRanked(store_, sources_, rules_, year));
        if (round.state != v1::PUBLISHED) {
          return RuleViolation("ROUND_NOT_PUBLISHED", "R10.1",
                               "objections are to a published round's results",
                               "考核结果尚未公布，不能提出异议");
        }
        ASSIGN_OR_RETURN(
            std::vector<InstitutionInput> corrected,
            CorrectedInputs(std::move(round.inputs), req->corrections(), *round.rules));
        ASSIGN_OR_RETURN(ComputedRound computed, ComputeRound(year, corrected, *round.rules));
        std::vector<v1::InputCorrection> corrections(req->corrections().begin(),
                                                     req->corrections().end());
        ASSIGN_OR_RETURN(*resp, store_.UpholdObjection(ChangeOf(call), year, id, req->version(),
                                                       req->decision_note(), corrections,
                                                       round.version, computed));
        return absl::OkStatus();
      });
}

}  // namespace zhigai::evaluation
