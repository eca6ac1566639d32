// The registry's handlers for the directory and the county filings.
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/idempotency.h"
#include "libs/server/serve.h"
#include "services/registry/handlers.h"
#include "services/registry/handlers_util.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

namespace {
// Admission and sanction commands come from outboxes: their command id is global.
bool IsCity(const Call& c) { return c.principal.role == Role::kCityBureau; }

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
    RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
    Violations v;
    v.Absorb(CheckRequestId(req->command_id(), "command_id", 128));
    v.Absorb(CheckYear(req->year(), "year"));
    v.Absorb(core::ValidateCreditCode(req->credit_code(), "credit_code"));
    ValidateLevel(req->level(), req->division_code(), ref_, v);
    if (req->direction() == common::v1::DIRECTION_UNSPECIFIED ||
        !common::v1::Direction_IsValid(req->direction())) {
      v.Add("direction", "R3.1", "direction must be CONSULTING or TRAINING");
    }
    v.Absorb(core::ValidateLine(req->source(), "source", 0, 200, "FORMAT"));
    RETURN_IF_ERROR(v.Finish());
    RETURN_IF_ERROR(MayWriteLevel(call, req->level(), req->division_code()));
    ASSIGN_OR_RETURN(*resp, store_.Admit(ChangeOf(call),
                                         server::IdempotencyKey(call, *req, "command_id",
                                                                /*scope_by_caller=*/false),
                                         *req));
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::UpdateDirectoryEntry(grpc::ServerContext* ctx,
                                                    const v1::UpdateDirectoryEntryRequest* req,
                                                    v1::DirectoryEntry* resp) {
  return Serve(
      ctx, proof_, FullMethod("UpdateDirectoryEntry"), [&](const Call& call) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(call, {Role::kCityBureau, Role::kCountyBureau}));
        Violations v;
        auto id = IdFromName(req->name(), "directoryEntries", "name");
        v.Absorb(id.status());
        if (req->status() == v1::ENTRY_STATUS_UNSPECIFIED ||
            !v1::EntryStatus_IsValid(req->status())) {
          v.Add("status", "R4.1", "status must be ACTIVE, SUSPENDED or REMOVED");
        }
        v.Absorb(core::ValidateText(req->status_reason(), "status_reason", 1, 500, "R4.1"));
        if (req->version() <= 0) v.Add("version", "AIP-154", "send the version you read");
        RETURN_IF_ERROR(v.Finish());
        ASSIGN_OR_RETURN(auto current, store_.GetEntry(*id));
        if (auto s = MayWriteLevel(call, current.level(), current.division_code()); !s.ok()) {
          return s;
        }
        ASSIGN_OR_RETURN(*resp, store_.UpdateEntry(ChangeOf(call), *id, req->version(),
                                                   req->status(), req->status_reason()));
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
        RETURN_IF_ERROR(v.Finish());
        // Everyone but the bureaus sees the active directory only; the default is ACTIVE for all.
        v1::EntryStatus status =
            req->status() == v1::ENTRY_STATUS_UNSPECIFIED ? v1::ACTIVE : req->status();
        if (status != v1::ACTIVE && !call.principal.IsBureau() &&
            call.principal.role != Role::kService) {
          return server::Forbidden("STATUS_FILTER_FOR_BUREAUS",
                                   "only bureaus may list suspended or removed entries",
                                   "仅经信部门可查看暂停或移出的名录");
        }
        ASSIGN_OR_RETURN(auto rows, store_.ListEntries(*req, status, *after, *size + 1));
        for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
          *resp->add_entries() = std::move((rows)[i]);
        }
        if (static_cast<int>(rows.size()) > *size) {
          resp->set_next_page_token(db::EncodePageToken(IdOf(resp->entries(*size - 1).name())));
        }
        return absl::OkStatus();
      });
}

grpc::Status RegistryHandlers::ListDirectoryEntryChanges(
    grpc::ServerContext* ctx, const v1::ListDirectoryEntryChangesRequest* req,
    v1::ListDirectoryEntryChangesResponse* resp) {
  return Serve(ctx, proof_, FullMethod("ListDirectoryEntryChanges"),
               [&](const Call& call) -> absl::Status {
                 RETURN_IF_ERROR(
                     RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService}));
                 Violations v;
                 auto id = IdFromName(req->parent(), "directoryEntries", "parent");
                 v.Absorb(id.status());
                 auto size = db::PageSize(req->page_size());
                 v.Absorb(size.status());
                 auto after = AfterId(req->page_token());
                 v.Absorb(after.status());
                 RETURN_IF_ERROR(v.Finish());
                 ASSIGN_OR_RETURN(auto rows, store_.ListEntryChanges(*id, *after, *size + 1));
                 for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
                   *resp->add_changes() = std::move((rows)[i]);
                 }
                 if (static_cast<int>(rows.size()) > *size) {
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
    RETURN_IF_ERROR(RequireRole(call, {Role::kCountyBureau}));
    const auto& f = req->filing();
    Violations v;
    v.Absorb(CheckRequestId(req->request_id()));
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
    RETURN_IF_ERROR(v.Finish("县级名录备案信息有误"));
    if (f.division_code() != call.principal.division_code) {
      return server::Forbidden("OUTSIDE_DIVISION",
                               "a county bureau files only its own division's list",
                               "只能备案本辖区名录");
    }
    ASSIGN_OR_RETURN(*resp,
                     store_.FileCountyList(ChangeOf(call), server::IdempotencyKey(call, *req), f));
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
    RETURN_IF_ERROR(v.Finish());
    ASSIGN_OR_RETURN(
        auto rows, store_.ListCountyFilings(req->year(), req->division_code(), *after, *size + 1));
    for (int i = 0; i < static_cast<int>(rows.size()) && i < *size; ++i) {
      auto& f = (rows)[i];
      if (!call.principal.IsBureau()) f.clear_filed_by();  // staff ids are not public
      *resp->add_filings() = std::move(f);
    }
    if (static_cast<int>(rows.size()) > *size) {
      resp->set_next_page_token(db::EncodePageToken(IdOf(resp->filings(*size - 1).name())));
    }
    return absl::OkStatus();
  });
}

}  // namespace zhigai::registry
