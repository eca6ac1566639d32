#include "libs/server/request_kit.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"

namespace zhigai::server {

std::string MethodName(absl::string_view service_full_name, absl::string_view method) {
  return absl::StrCat("/", service_full_name, "/", method);
}

db::Change ChangeOf(const Call& call) { return {call.actor(), call.method}; }

absl::StatusOr<int64_t> IdFromName(absl::string_view name, absl::string_view collection,
                                   absl::string_view field) {
  int64_t id = 0;
  if (!absl::ConsumePrefix(&name, collection) || !absl::ConsumePrefix(&name, "/") ||
      !absl::SimpleAtoi(name, &id) || id <= 0) {
    return InvalidField(field, "AIP-122", absl::StrCat("name must look like ", collection, "/{id}"),
                        "资源名称格式有误");
  }
  return id;
}

std::string IdOf(absl::string_view name) { return std::string(name.substr(name.rfind('/') + 1)); }

absl::StatusOr<int64_t> AfterId(const std::string& page_token) {
  ASSIGN_OR_RETURN(auto raw, db::DecodePageToken(page_token));
  if (raw.empty()) return int64_t{0};
  int64_t id = 0;
  if (!absl::SimpleAtoi(raw, &id) || id < 0) {
    return InvalidField("page_token", "AIP-158", "bad page token", "分页令牌无效");
  }
  return id;
}

absl::Status CheckYear(int64_t year, absl::string_view field, int min, int max) {
  if (year < min || year > max) {
    return InvalidField(field, "FORMAT", absl::StrCat("year must be between ", min, " and ", max),
                        "年度超出范围");
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(const std::string& id, absl::string_view field, size_t max) {
  return core::ValidateLine(id, field, 1, max, "AIP-155");
}

absl::Status CheckVersion(int64_t version, absl::string_view field) {
  if (version > 0) return absl::OkStatus();
  return InvalidField(field, "AIP-154", "send the version you read (optimistic concurrency)",
                      "请提供读取时的版本号");
}

}  // namespace zhigai::server
