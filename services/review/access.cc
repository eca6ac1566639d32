#include "services/review/access.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

absl::Status BadName(const std::string& field, absl::string_view pattern) {
  return InvalidField(field, "AIP-122", absl::StrCat("name must look like ", pattern),
                      "资源名称格式有误");
}

// Splits "a/1/b/2" into its ids when the collections match `collections`.
bool ParseIds(absl::string_view name, const std::vector<absl::string_view>& collections,
              std::vector<int64_t>& ids) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != collections.size() * 2) return false;
  ids.clear();
  for (size_t i = 0; i < collections.size(); ++i) {
    int64_t id = 0;
    if (parts[2 * i] != collections[i] || !absl::SimpleAtoi(parts[2 * i + 1], &id) || id <= 0) {
      return false;
    }
    ids.push_back(id);
  }
  return true;
}

}  // namespace

absl::Status MayManageCall(const auth::Principal& who, const v1::Call& call) {
  if (call.scope() == common::v1::CITY && who.role == auth::Role::kCityBureau) {
    return absl::OkStatus();
  }
  if (call.scope() == common::v1::COUNTY && who.role == auth::Role::kCountyBureau &&
      who.division_code == call.division_code()) {
    return absl::OkStatus();
  }
  return Error(absl::StatusCode::kPermissionDenied, "NOT_CALL_MANAGER",
               absl::StrCat("only the bureau that runs ", call.name(),
                            " may do this (the city bureau for a CITY call, the county bureau of "
                            "the division for a COUNTY call)"),
               "只有组织本次征集的经信部门可以执行此操作", "R4.2");
}

bool IsOverseer(const auth::Principal& who, const v1::Call& call) {
  return MayManageCall(who, call).ok() || who.role == auth::Role::kCityBureau;
}

bool IsApplicant(const auth::Principal& who, const v1::Application& app) {
  if (who.role != auth::Role::kInstitution || who.credit_code.empty()) return false;
  if (who.credit_code == app.profile().credit_code()) return true;
  for (const auto& m : app.consortium_members()) {
    if (m.credit_code() == who.credit_code) return true;
  }
  return false;
}

void RedactForExpert(v1::Application* app) {
  app->mutable_profile()->clear_legal_representative();
  app->mutable_profile()->clear_contact();
}

absl::StatusOr<int64_t> ParseCallName(const std::string& name, const std::string& field) {
  std::vector<int64_t> ids;
  if (!ParseIds(name, {"calls"}, ids)) return BadName(field, "calls/{id}");
  return ids[0];
}

absl::StatusOr<ApplicationRef> ParseApplicationName(const std::string& name,
                                                    const std::string& field,
                                                    const std::string& suffix) {
  std::vector<int64_t> ids;
  absl::string_view n = name;
  if (!suffix.empty()) {
    if (!absl::ConsumeSuffix(&n, suffix)) {
      return BadName(field, absl::StrCat("calls/{call}/applications/{id}", suffix));
    }
  }
  if (!ParseIds(n, {"calls", "applications"}, ids)) {
    return BadName(field, absl::StrCat("calls/{call}/applications/{id}", suffix));
  }
  return ApplicationRef{ids[0], ids[1]};
}

absl::StatusOr<DocumentRef> ParseDocumentName(const std::string& name, const std::string& field) {
  std::vector<int64_t> ids;
  if (!ParseIds(name, {"calls", "applications", "documents"}, ids)) {
    return BadName(field, "calls/{call}/applications/{app}/documents/{id}");
  }
  return DocumentRef{{ids[0], ids[1]}, ids[2]};
}

absl::StatusOr<std::pair<int64_t, int64_t>> ParseObjectionName(const std::string& name,
                                                               const std::string& field) {
  std::vector<int64_t> ids;
  if (!ParseIds(name, {"calls", "objections"}, ids)) {
    return BadName(field, "calls/{call}/objections/{id}");
  }
  return std::pair<int64_t, int64_t>{ids[0], ids[1]};
}

absl::StatusOr<int64_t> ParseExpertName(const std::string& name, const std::string& field) {
  std::vector<int64_t> ids;
  if (!ParseIds(name, {"experts"}, ids)) return BadName(field, "experts/{id}");
  return ids[0];
}

}  // namespace zhigai::review
