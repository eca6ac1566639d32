#include "services/training/handler_util.h"

#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"

namespace zhigai::training {

Change ChangeOf(const server::Call& call) { return {call.actor(), call.method}; }

absl::StatusOr<int64_t> IdFromName(const std::string& name, absl::string_view collection,
                                   absl::string_view field) {
  int64_t id = 0;
  const std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix) || !absl::SimpleAtoi(name.substr(prefix.size()), &id) ||
      id <= 0) {
    return InvalidField(field, "AIP-122", absl::StrCat("name must look like ", collection, "/{id}"),
                        "资源名称格式有误");
  }
  return id;
}

absl::StatusOr<std::pair<int64_t, int64_t>> ProblemIdFromName(const std::string& name,
                                                              absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  int64_t meeting = 0, problem = 0;
  if (parts.size() != 4 || parts[0] != "meetings" || parts[2] != "problems" ||
      !absl::SimpleAtoi(parts[1], &meeting) || !absl::SimpleAtoi(parts[3], &problem) ||
      meeting <= 0 || problem <= 0) {
    return InvalidField(field, "AIP-122", "name must look like meetings/{id}/problems/{id}",
                        "资源名称格式有误");
  }
  return std::make_pair(meeting, problem);
}

absl::StatusOr<int64_t> AfterId(const std::string& token) {
  auto raw = db::DecodePageToken(token);
  if (!raw.ok()) return raw.status();
  if (raw->empty()) return int64_t{0};
  int64_t id;
  if (!absl::SimpleAtoi(*raw, &id)) {
    return InvalidField("page_token", "AIP-158", "bad token", "分页令牌无效");
  }
  return id;
}

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

absl::Status CheckYear(int year, absl::string_view field) {
  if (year < core::kMinBusinessYear || year > core::kMaxBusinessYear) {
    return InvalidField(field, "FORMAT",
                        absl::StrCat("year must be between ", core::kMinBusinessYear, " and ",
                                     core::kMaxBusinessYear),
                        "年度超出范围");
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(const std::string& key, absl::string_view field) {
  return core::ValidateLine(key, field, 1, 64, "AIP-155");
}

absl::Status ValidateBatchCodes(const google::protobuf::RepeatedPtrField<std::string>& codes,
                                absl::string_view field) {
  if (codes.empty() || codes.size() > kMaxBatch) {
    return InvalidField(field, "AIP-231", "send between 1 and 1000 credit codes",
                        "批量请求须为1至1000个机构");
  }
  Violations v;
  std::set<std::string> seen;
  for (int i = 0; i < codes.size(); ++i) {
    const std::string path = absl::StrCat(field, "[", i, "]");
    v.Absorb(core::ValidateCreditCode(codes[i], path));
    if (!seen.insert(codes[i]).second) v.Add(path, "AIP-231", "a credit code is listed twice");
  }
  return v.Finish();
}

}  // namespace zhigai::training
