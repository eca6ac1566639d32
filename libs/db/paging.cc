#include "libs/db/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::db {

absl::StatusOr<int> PageSize(int requested, const char* field) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidField(field, "AIP-158",
                        absl::StrCat("page_size must be between 1 and ", kMaxPageSize,
                                     " (0 for the default of ", kDefaultPageSize, ")"),
                        "每页条数须在1至1000之间");
  }
  return requested;
}

std::string EncodePageToken(const std::string& last_key) {
  return absl::WebSafeBase64Escape(absl::StrCat("k1:", last_key));
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token, const char* field) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, "k1:")) {
    return InvalidField(field, "AIP-158", "page_token is not one this service issued",
                        "分页令牌无效");
  }
  return raw.substr(3);
}

}  // namespace zhigai::db
