#include "services/training/handlers_util.h"

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
