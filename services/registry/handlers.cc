#include "services/registry/handlers.h"

#include <map>
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
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/registry/domain/sanctions.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckYear;
using server::IdFromName;
using server::IdOf;

// "institutions/{code}" → code; the code itself is validated (R0.1).
absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view field) {
  if (!absl::StartsWith(name, "institutions/")) {
    return InvalidField(field, "AIP-122", "name must look like institutions/{credit_code}",
                        "资源名称格式应为 institutions/{统一社会信用代码}");
  }
  std::string code = name.substr(strlen("institutions/"));
  if (auto s = core::ValidateCreditCode(code, field); !s.ok()) return s;
  return code;
}

absl::Status CheckKey(const std::string& key, absl::string_view field, size_t max) {
  return core::ValidateLine(key, field, 1, max, "AIP-155");
}

// Admission and sanction commands come from outboxes: their command id is global.
bool IsCity(const Call& c) { return c.principal.role == Role::kCityBureau; }

// A county bureau registers, edits and files for institutions registered in its own division
// only (RULES.md: county bureaus act within their division); other callers pass.
absl::Status WithinCountyDivision(const Call& call, const std::string& division,
                                  absl::string_view action) {
  if (call.principal.role != Role::kCountyBureau || division == call.principal.division_code) {
    return absl::OkStatus();
  }
  return server::Forbidden("OUTSIDE_DIVISION",
                           absl::StrCat("a county bureau may ", action,
                                        " only institutions registered in its "
                                        "division (",
                                        call.principal.division_code, "), not in ", division),
                           "县级经信部门只能处理本辖区登记的机构");
}

}  // namespace

grpc::Status RegistryHandlers::CreateInstitution(grpc::ServerContext* ctx,
                                                 const v1::CreateInstitutionRequest* req,
                                                 v1::Institution* resp) {
  return Serve(ctx, proof_, FullMethod("CreateInstitution"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(
            call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService});
        !s.ok()) {
      return s;
    }
    Violations v;
    v.Absorb(CheckKey(req->request_id(), "request_id", 64));
    v.Absorb(ValidateInstitution(req->institution(), ref_));
    if (auto s = v.Finish(); !s.ok()) return s;
    if (call.principal.role == Role::kInstitution &&
        call.principal.credit_code != req->institution().credit_code()) {
      return server::Forbidden("NOT_OWN_INSTITUTION",
                               "an institution may register only its own credit code",
                               "机构只能登记本单位");
    }
    // The same scope on create as on update: a county bureau acts within its division.
    if (auto s = WithinCountyDivision(call, req->institution().registered_address().division_code(),
                                      "register");
        !s.ok()) {
      return s;
    }
    auto out = store_.CreateInstitution(ChangeOf(call), server::IdempotencyKey(call, *req),
                                        req->institution());
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    if (!MaySeePersonalData(call.principal, resp->credit_code())) RedactPersonalData(resp);
    return absl::OkStatus();
  });
}

RegistryHandlers::RegistryHandlers(RegistryStore& store, const ReferenceData& ref,
                                   const std::vector<core::SanctionRules>& sanction_rules,
                                   std::string internal_proof, Clock clock, PublicChangeHub* hub)
    // One queue thread: a cached answer takes microseconds, and a second thread on two cores
    // cost more in wake-ups than it added (0.78 against 0.61 of pgbench -S, 15 against 18 µs
    // of CPU per call; docs/benchmarks.md). A replica that needs more runs beside others.
    // Eight blocking threads, as many as the usual connection pool.
    : server::CompletionQueueServing(1, 8),
      store_(store),
      ref_(ref),
      sanction_rules_(sanction_rules),
      proof_(std::move(internal_proof)),
      clock_(std::move(clock)),
      hub_(hub) {
  ServeAnswer<v1::GetInstitutionRequest, v1::Institution>(
      this, &RegistryServiceBase::RequestGetInstitution, proof_, FullMethod("GetInstitution"),
      [this](const Call& call, const v1::GetInstitutionRequest& req, v1::Institution* resp,
             core::Io io) { return AnswerGetInstitution(call, req, resp, io); });
  ServeAnswer<v1::CheckEligibilityRequest, v1::Eligibility>(
      this, &RegistryServiceBase::RequestCheckEligibility, proof_, FullMethod("CheckEligibility"),
      [this](const Call& call, const v1::CheckEligibilityRequest& req, v1::Eligibility* resp,
             core::Io io) { return AnswerCheckEligibility(call, req, resp, io); });
}

absl::Status RegistryHandlers::AnswerGetInstitution(const Call& call,
                                                    const v1::GetInstitutionRequest& req,
                                                    v1::Institution* resp, core::Io io) {
  auto code = CodeFromName(req.name(), "name");
  if (!code.ok()) return code.status();
  auto out = store_.GetInstitution(*code, io);
  if (!out.ok()) return out.status();
  if (!MaySeePersonalData(call.principal, *code)) RedactPersonalData(&*out);
  *resp = std::move(*out);
  return absl::OkStatus();
}

grpc::Status RegistryHandlers::UpdateInstitution(grpc::ServerContext* ctx,
                                                 const v1::UpdateInstitutionRequest* req,
                                                 v1::Institution* resp) {
  return Serve(ctx, proof_, FullMethod("UpdateInstitution"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution});
        !s.ok()) {
      return s;
    }
    auto code = CodeFromName(req->institution().name(), "institution.name");
    if (!code.ok()) return code.status();
    if (req->institution().version() <= 0) {
      return InvalidField("institution.version", "AIP-154",
                          "send the version you read (optimistic concurrency)",
                          "请提供读取时的版本号");
    }
    if (call.principal.role == Role::kInstitution && call.principal.credit_code != *code) {
      return server::Forbidden("NOT_OWN_INSTITUTION", "an institution may edit only itself",
                               "机构只能修改本单位信息");
    }
    auto out = store_.UpdateInstitution(
        ChangeOf(call), *code, req->institution().version(),
        [&](const v1::Institution& current) -> absl::StatusOr<v1::Institution> {
          // A county bureau looks after institutions registered in its own division.
          if (auto s =
                  WithinCountyDivision(call, current.registered_address().division_code(), "edit");
              !s.ok()) {
            return s;
          }
          auto next = ApplyUpdate(current, req->institution(), req->update_mask(), call.principal);
          if (!next.ok()) return next.status();
          if (auto s = ValidateInstitution(*next, ref_); !s.ok()) return s;
          return next;
        });
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListInstitutions(grpc::ServerContext* ctx,
                                                const v1::ListInstitutionsRequest* req,
                                                v1::ListInstitutionsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListInstitutions"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService});
        !s.ok()) {
      return s;
    }
    Violations v;
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = db::DecodePageToken(req->page_token());
    v.Absorb(after.status());
    v.Absorb(core::ValidateLine(req->display_name_contains(), "display_name_contains", 0, 100,
                                "FORMAT"));
    // An unknown filter value is refused, never dropped: a dropped filter widens the answer.
    if (!common::v1::Direction_IsValid(req->direction())) {
      v.Add("direction", "FORMAT", "unknown direction");
    }
    if (!v1::LegalForm_IsValid(req->legal_form()))
      v.Add("legal_form", "FORMAT", "unknown legal form");
    if (!req->division_code().empty()) {
      v.Absorb(ref_.divisions.ValidateDivision(req->division_code(), "division_code"));
    }
    if (auto s = v.Finish(); !s.ok()) return s;
    InstitutionFilter filter{req->display_name_contains(), req->division_code(),
                             req->direction() == common::v1::DIRECTION_UNSPECIFIED
                                 ? ""
                                 : common::v1::Direction_Name(req->direction()),
                             req->legal_form() == v1::LEGAL_FORM_UNSPECIFIED
                                 ? ""
                                 : v1::LegalForm_Name(req->legal_form())};
    auto rows = store_.ListInstitutions(filter, *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      v1::Institution* in = resp->add_institutions();
      *in = std::move((*rows)[i]);
      if (!MaySeePersonalData(call.principal, in->credit_code())) RedactPersonalData(in);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(resp->institutions(*size - 1).credit_code()));
    }
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListInstitutionRevisions(
    grpc::ServerContext* ctx, const v1::ListInstitutionRevisionsRequest* req,
    v1::ListInstitutionRevisionsResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListInstitutionRevisions"), [&](const Call& call) -> absl::Status {
        auto code = CodeFromName(req->name(), "name");
        if (!code.ok()) return code.status();
        if (!MaySeePersonalData(call.principal, *code)) {
          return server::Forbidden("NOT_OWN_INSTITUTION",
                                   "the change history is for bureaus and the institution itself",
                                   "变更记录仅限经信部门和机构本身查看");
        }
        auto size = db::PageSize(req->page_size());
        if (!size.ok()) return size.status();
        auto after = AfterId(req->page_token());
        if (!after.ok()) return after.status();
        int64_t before = *after == 0 ? INT64_MAX : *after;
        auto rows = store_.ListRevisions(*code, before, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_revisions() = std::move((*rows)[i]);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(
              absl::StrCat(resp->revisions(*size - 1).institution().version())));
        }
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::CreateConsortium(grpc::ServerContext* ctx,
                                                const v1::CreateConsortiumRequest* req,
                                                v1::Consortium* resp) {
  return Serve(ctx, proof_, FullMethod("CreateConsortium"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(
            call, {Role::kCityBureau, Role::kCountyBureau, Role::kInstitution, Role::kService});
        !s.ok()) {
      return s;
    }
    const auto& c = req->consortium();
    Violations v;
    v.Absorb(CheckKey(req->request_id(), "request_id", 64));
    v.Absorb(core::ValidateLine(c.display_name(), "consortium.display_name", 1, 100, "FORMAT"));
    v.Absorb(core::ValidateCreditCode(c.lead_credit_code(), "consortium.lead_credit_code"));
    if (c.members_size() < 2) {
      v.Add("consortium.members", "R5.1", "a consortium has a lead and at least one other member");
    }
    std::set<std::string> codes;
    bool lead_is_member = false;
    for (int i = 0; i < c.members_size(); ++i) {
      const auto& m = c.members(i);
      std::string path = absl::StrCat("consortium.members[", i, "]");
      v.Absorb(core::ValidateCreditCode(m.credit_code(), path + ".credit_code"));
      v.Absorb(core::ValidateLine(m.display_name(), path + ".display_name", 1, 100, "FORMAT"));
      if (m.role() == v1::MEMBER_ROLE_UNSPECIFIED || !v1::MemberRole_IsValid(m.role())) {
        v.Add(path + ".role", "R5.1", "role must be ENGINEERING_SERVICE or SOLUTION_SUPPLIER");
      }
      if (!codes.insert(m.credit_code()).second) {
        v.Add(path + ".credit_code", "R5.1", "every member has its own credit code");
      }
      lead_is_member |= m.credit_code() == c.lead_credit_code();
    }
    if (!lead_is_member) v.Add("consortium.lead_credit_code", "R5.1", "the lead must be a member");
    if (auto s = v.Finish("联合体信息有误"); !s.ok()) return s;
    if (call.principal.role == Role::kInstitution &&
        call.principal.credit_code != c.lead_credit_code()) {
      return server::Forbidden("NOT_CONSORTIUM_LEAD", "only the lead member registers a consortium",
                               "联合体须由牵头单位登记");
    }
    if (call.principal.role == Role::kCountyBureau) {
      auto lead = store_.GetInstitution(c.lead_credit_code());
      if (!lead.ok()) return lead.status();
      if (auto s = WithinCountyDivision(call, lead->registered_address().division_code(),
                                        "register consortia led by");
          !s.ok()) {
        return s;
      }
    }
    auto out = store_.CreateConsortium(ChangeOf(call), server::IdempotencyKey(call, *req), c);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::GetConsortium(grpc::ServerContext* ctx,
                                             const v1::GetConsortiumRequest* req,
                                             v1::Consortium* resp) {
  return Serve(ctx, proof_, FullMethod("GetConsortium"), [&](const Call&) -> absl::Status {
    auto id = IdFromName(req->name(), "consortia", "name");
    if (!id.ok()) return id.status();
    auto out = store_.GetConsortium(*id);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

namespace {
void ValidateLevel(common::v1::DirectoryLevel level, const std::string& division,
                   const ReferenceData& ref, Violations& v) {
  if (level == common::v1::CITY) {
    if (!division.empty()) v.Add("division_code", "R4.1", "a CITY entry has no division code");
  } else if (level == common::v1::COUNTY) {
    v.Absorb(ref.divisions.ValidateCountyLevelDivision(division, "division_code"));
  } else {
    v.Add("level", "R4.1", "level must be CITY or COUNTY");
  }
}

absl::Status MayWriteLevel(const Call& call, common::v1::DirectoryLevel level,
                           const std::string& division) {
  if (IsCity(call) || call.principal.role == Role::kService) return absl::OkStatus();
  if (call.principal.role == Role::kCountyBureau && level == common::v1::COUNTY &&
      division == call.principal.division_code) {
    return absl::OkStatus();
  }
  return server::Forbidden("OUTSIDE_DIVISION",
                           "a county bureau writes only its own division's county directory (R4.2)",
                           "县级经信部门只能维护本辖区县级名录");
}
}  // namespace

grpc::Status RegistryHandlers::AdmitToDirectory(grpc::ServerContext* ctx,
                                                const v1::AdmitToDirectoryRequest* req,
                                                v1::DirectoryEntry* resp) {
  return Serve(ctx, proof_, FullMethod("AdmitToDirectory"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService});
        !s.ok()) {
      return s;
    }
    Violations v;
    v.Absorb(CheckKey(req->command_id(), "command_id", 128));
    v.Absorb(CheckYear(req->year(), "year"));
    v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    ValidateLevel(req->level(), req->division_code(), ref_, v);
    if (req->direction() == common::v1::DIRECTION_UNSPECIFIED ||
        !common::v1::Direction_IsValid(req->direction())) {
      v.Add("direction", "R3.1", "direction must be CONSULTING or TRAINING");
    }
    v.Absorb(core::ValidateLine(req->source(), "source", 0, 200, "FORMAT"));
    if (auto s = v.Finish(); !s.ok()) return s;
    if (auto s = MayWriteLevel(call, req->level(), req->division_code()); !s.ok()) return s;
    auto out = store_.Admit(
        ChangeOf(call), server::IdempotencyKey(call, *req, "command_id", /*scope_by_caller=*/false),
        *req);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::UpdateDirectoryEntry(grpc::ServerContext* ctx,
                                                    const v1::UpdateDirectoryEntryRequest* req,
                                                    v1::DirectoryEntry* resp) {
  return Serve(
      ctx, proof_, FullMethod("UpdateDirectoryEntry"), [&](const Call& call) -> absl::Status {
        if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}); !s.ok()) return s;
        Violations v;
        auto id = IdFromName(req->name(), "directoryEntries", "name");
        v.Absorb(id.status());
        if (req->status() == v1::ENTRY_STATUS_UNSPECIFIED ||
            !v1::EntryStatus_IsValid(req->status())) {
          v.Add("status", "R4.1", "status must be ACTIVE, SUSPENDED or REMOVED");
        }
        v.Absorb(core::ValidateText(req->status_reason(), "status_reason", 1, 500, "R4.1"));
        if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
        if (auto s = v.Finish(); !s.ok()) return s;
        auto current = store_.GetEntry(*id);
        if (!current.ok()) return current.status();
        if (auto s = MayWriteLevel(call, current->level(), current->division_code()); !s.ok()) {
          return s;
        }
        auto out = store_.UpdateEntry(ChangeOf(call), *id, req->version(), req->status(),
                                      req->status_reason());
        if (!out.ok()) return out.status();
        *resp = std::move(*out);
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::ListDirectoryEntries(grpc::ServerContext* ctx,
                                                    const v1::ListDirectoryEntriesRequest* req,
                                                    v1::ListDirectoryEntriesResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListDirectoryEntries"), [&](const Call& call) -> absl::Status {
        Violations v;
        v.Absorb(CheckYear(req->year(), "year"));
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        if (!common::v1::DirectoryLevel_IsValid(req->level()))
          v.Add("level", "FORMAT", "unknown level");
        if (!common::v1::Direction_IsValid(req->direction())) {
          v.Add("direction", "FORMAT", "unknown direction");
        }
        if (!v1::EntryStatus_IsValid(req->status())) v.Add("status", "FORMAT", "unknown status");
        if (!req->division_code().empty()) {
          v.Absorb(ref_.divisions.ValidateDivision(req->division_code(), "division_code"));
        }
        if (auto s = v.Finish(); !s.ok()) return s;
        // Everyone but the bureaus sees the active directory only; the default is ACTIVE for all.
        v1::EntryStatus status =
            req->status() == v1::ENTRY_STATUS_UNSPECIFIED ? v1::ACTIVE : req->status();
        if (status != v1::ACTIVE && !call.principal.IsBureau() &&
            call.principal.role != Role::kService) {
          return server::Forbidden("STATUS_FILTER_FOR_BUREAUS",
                                   "only bureaus may list suspended or removed entries",
                                   "仅经信部门可查看暂停或移出的名录");
        }
        auto rows = store_.ListEntries(*req, status, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_entries() = std::move((*rows)[i]);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(IdOf(resp->entries(*size - 1).name())));
        }
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::ListDirectoryEntryChanges(
    grpc::ServerContext* ctx, const v1::ListDirectoryEntryChangesRequest* req,
    v1::ListDirectoryEntryChangesResponse* resp) {
  return Serve(
      ctx, proof_, FullMethod("ListDirectoryEntryChanges"), [&](const Call& call) -> absl::Status {
        if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService});
            !s.ok()) {
          return s;
        }
        Violations v;
        auto id = IdFromName(req->parent(), "directoryEntries", "parent");
        v.Absorb(id.status());
        auto size = db::PageSize(req->page_size());
        v.Absorb(size.status());
        auto after = AfterId(req->page_token());
        v.Absorb(after.status());
        if (auto s = v.Finish(); !s.ok()) return s;
        auto rows = store_.ListEntryChanges(*id, *after, *size + 1);
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
          *resp->add_changes() = std::move((*rows)[i]);
        }
        if (static_cast<int>(rows->size()) > *size) {
          resp->set_next_page_token(
              db::EncodePageToken(absl::StrCat(resp->changes(*size - 1).version())));
        }
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::FileCountyList(grpc::ServerContext* ctx,
                                              const v1::FileCountyListRequest* req,
                                              v1::CountyFiling* resp) {
  return Serve(ctx, proof_, FullMethod("FileCountyList"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCountyBureau}); !s.ok()) return s;
    const auto& f = req->filing();
    Violations v;
    v.Absorb(CheckKey(req->request_id(), "request_id", 64));
    v.Absorb(CheckYear(f.year(), "filing.year"));
    v.Absorb(ref_.divisions.ValidateCountyLevelDivision(f.division_code(), "filing.division_code"));
    v.Absorb(
        core::ValidateText(f.selection_criteria(), "filing.selection_criteria", 1, 5000, "R4.2"));
    if (f.items().empty())
      v.Add("filing.items", "R4.2", "the filed list names at least one institution");
    std::set<std::string> seen;
    for (int i = 0; i < f.items_size(); ++i) {
      std::string path = absl::StrCat("filing.items[", i, "]");
      v.Absorb(core::ValidateCreditCode(f.items(i).credit_code(), path + ".credit_code"));
      if (!seen.insert(f.items(i).credit_code()).second) {
        v.Add(path + ".credit_code", "R4.2", "an institution is listed twice");
      }
      if (f.items(i).directions().empty())
        v.Add(path + ".directions", "R3.1", "at least one direction");
      for (int d : f.items(i).directions()) {
        if (d == common::v1::DIRECTION_UNSPECIFIED || !common::v1::Direction_IsValid(d)) {
          v.Add(path + ".directions", "R3.1", "direction must be CONSULTING or TRAINING");
        }
      }
    }
    if (auto s = v.Finish("县级名录备案信息有误"); !s.ok()) return s;
    if (f.division_code() != call.principal.division_code) {
      return server::Forbidden("OUTSIDE_DIVISION",
                               "a county bureau files only its own division's list",
                               "只能备案本辖区名录");
    }
    auto out = store_.FileCountyList(ChangeOf(call), server::IdempotencyKey(call, *req), f);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListCountyFilings(grpc::ServerContext* ctx,
                                                 const v1::ListCountyFilingsRequest* req,
                                                 v1::ListCountyFilingsResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListCountyFilings"), [&](const Call& call) -> absl::Status {
    Violations v;
    if (req->year() != 0) v.Absorb(CheckYear(req->year(), "year"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    if (!req->division_code().empty()) {
      v.Absorb(ref_.divisions.ValidateDivision(req->division_code(), "division_code"));
    }
    if (auto s = v.Finish(); !s.ok()) return s;
    auto rows = store_.ListCountyFilings(req->year(), req->division_code(), *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      auto& f = (*rows)[i];
      if (!call.principal.IsBureau()) f.clear_filed_by();  // staff ids are not public
      *resp->add_filings() = std::move(f);
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->filings(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ImposeSanction(grpc::ServerContext* ctx,
                                              const v1::ImposeSanctionRequest* req,
                                              v1::Sanction* resp) {
  return Serve(ctx, proof_, FullMethod("ImposeSanction"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCityBureau, Role::kService}); !s.ok()) return s;
    Violations v;
    v.Absorb(CheckKey(req->command_id(), "command_id", 128));
    v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    if (req->kind() == v1::SANCTION_KIND_UNSPECIFIED || !v1::SanctionKind_IsValid(req->kind())) {
      v.Add("kind", "R14.4", "kind must be CANCEL (R14.4) or BAR (R14.5)");
    }
    auto start = wire::ParseBusinessDate(req->start_date(), "start_date");
    v.Absorb(start.status());
    v.Absorb(core::ValidateLine(req->source_reference(), "source_reference", 1, 500, "R14.5"));
    v.Absorb(core::ValidateText(req->reason(), "reason", 0, 1000, "FORMAT"));
    if (auto s = v.Finish(); !s.ok()) return s;
    // Issue 26: the term is the one of the rules in force on the first day, and the sanction
    // records that version.
    ASSIGN_OR_RETURN(const core::SanctionRules* terms,
                     core::SanctionRulesOn(sanction_rules_, *start));
    auto out = store_.ImposeSanction(
        ChangeOf(call), server::IdempotencyKey(call, *req, "command_id", /*scope_by_caller=*/false),
        *req, *start, SanctionLastDay(req->kind(), *start, *terms), terms->version);
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::LiftSanction(grpc::ServerContext* ctx,
                                            const v1::LiftSanctionRequest* req,
                                            v1::Sanction* resp) {
  return Serve(ctx, proof_, FullMethod("LiftSanction"), [&](const Call& call) -> absl::Status {
    if (auto s = RequireRole(call, {Role::kCityBureau}); !s.ok()) return s;
    Violations v;
    auto id = IdFromName(req->name(), "sanctions", "name");
    v.Absorb(id.status());
    v.Absorb(core::ValidateText(req->reason(), "reason", 1, 500, "FORMAT"));
    if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
    if (auto s = v.Finish(); !s.ok()) return s;
    auto out = store_.LiftSanction(ChangeOf(call), *id, req->version(), req->reason());
    if (!out.ok()) return out.status();
    *resp = std::move(*out);
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
      if (auto s = RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService});
          !s.ok()) {
        return s;
      }
    }
    Violations v;
    if (!req->credit_code().empty())
      v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    if (req->year() != 0) v.Absorb(CheckYear(req->year(), "year"));
    auto size = db::PageSize(req->page_size());
    v.Absorb(size.status());
    auto after = AfterId(req->page_token());
    v.Absorb(after.status());
    if (auto s = v.Finish(); !s.ok()) return s;
    auto rows = store_.ListSanctions(req->credit_code(), req->year(), *after, *size + 1);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
      v1::Sanction* out = resp->add_sanctions();
      *out = std::move((*rows)[i]);
      // Who lifted it is a bureau user's sign-in id: bureaus and the system only.
      if (!call.principal.IsBureau() && call.principal.role != Role::kService) {
        out->clear_lifted_by();
      }
    }
    if (static_cast<int>(rows->size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->sanctions(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

namespace {
absl::StatusOr<absl::CivilDay> ValidateEligibilityRequest(const v1::CheckEligibilityRequest& r,
                                                          const std::string& prefix,
                                                          const ReferenceData& ref) {
  Violations v;
  v.Absorb(core::ValidateCreditCode(r.credit_code(), prefix + "credit_code"));
  if (r.service_kind() == common::v1::SERVICE_KIND_UNSPECIFIED ||
      !common::v1::ServiceKind_IsValid(r.service_kind())) {
    v.Add(prefix + "service_kind", "R3.1",
          "service_kind must be DIAGNOSIS, SOLUTION_DESIGN or TRAINING_SERVICE");
  }
  auto date = wire::ParseBusinessDate(r.date(), prefix + "date");
  v.Absorb(date.status());
  if (!r.division_code().empty()) {
    v.Absorb(ref.divisions.ValidateDivision(r.division_code(), prefix + "division_code"));
  }
  if (auto s = v.Finish(); !s.ok()) return s;
  return *date;
}
}  // namespace

absl::StatusOr<std::vector<v1::Eligibility>> RegistryHandlers::Decide(
    const std::vector<const v1::CheckEligibilityRequest*>& requests, core::Io io) {
  std::vector<absl::CivilDay> dates;
  std::set<std::string> codes;
  std::set<int> years;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::string prefix = requests.size() == 1 ? "" : absl::StrCat("requests[", i, "].");
    auto date = ValidateEligibilityRequest(*requests[i], prefix, ref_);
    if (!date.ok()) return date.status();
    dates.push_back(*date);
    codes.insert(requests[i]->credit_code());
    years.insert(static_cast<int>(date->year()));
  }
  auto facts =
      store_.LoadEligibilityFacts({codes.begin(), codes.end()}, {years.begin(), years.end()}, io);
  if (!facts.ok()) return facts.status();
  std::set<std::string> known(facts->known.begin(), facts->known.end());
  std::map<std::pair<std::string, int>, std::vector<EntryFact>> entries;
  for (auto& [code, year_entry] : facts->entries) {
    entries[{code, year_entry.first}].push_back(year_entry.second);
  }
  std::map<std::string, std::vector<SanctionFact>> sanctions;
  for (auto& [code, s] : facts->sanctions) sanctions[code].push_back(s);
  std::vector<v1::Eligibility> out;
  static const std::vector<EntryFact> kNoEntries;
  static const std::vector<SanctionFact> kNoSanctions;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& code = requests[i]->credit_code();
    auto e = entries.find({code, static_cast<int>(dates[i].year())});
    auto s = sanctions.find(code);
    out.push_back(DecideEligibility(*requests[i], dates[i], known.count(code) > 0,
                                    e == entries.end() ? kNoEntries : e->second,
                                    s == sanctions.end() ? kNoSanctions : s->second));
  }
  return out;
}

namespace {
// Who asks whether an institution may be paid for a service: the bureaus, the services and the
// policy platform that pay, and the parties to the service. Not experts (scoped to their
// applications) and not the public.
absl::Status RequireEligibilityCaller(const Call& call) {
  return RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService,
                            Role::kInstitution, Role::kEnterprise, Role::kPolicyPlatform});
}
}  // namespace

absl::Status RegistryHandlers::AnswerCheckEligibility(const Call& call,
                                                      const v1::CheckEligibilityRequest& req,
                                                      v1::Eligibility* resp, core::Io io) {
  if (auto s = RequireEligibilityCaller(call); !s.ok()) return s;
  auto out = Decide({&req}, io);
  if (!out.ok()) return out.status();
  *resp = std::move((*out)[0]);
  return absl::OkStatus();
}

grpc::Status RegistryHandlers::BatchCheckEligibility(grpc::ServerContext* ctx,
                                                     const v1::BatchCheckEligibilityRequest* req,
                                                     v1::BatchCheckEligibilityResponse* resp) {
  return Serve(ctx, proof_, FullMethod("BatchCheckEligibility"),
               [&](const Call& call) -> absl::Status {
                 if (auto s = RequireEligibilityCaller(call); !s.ok()) return s;
                 if (req->requests().empty() || req->requests_size() > 1000) {
                   return InvalidField("requests", "AIP-231", "send between 1 and 1000 requests",
                                       "批量请求须为1至1000条");
                 }
                 std::vector<const v1::CheckEligibilityRequest*> list;
                 for (const auto& r : req->requests()) list.push_back(&r);
                 auto out = Decide(list);
                 if (!out.ok()) return out.status();
                 for (auto& e : *out) *resp->add_results() = std::move(e);
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::registry
