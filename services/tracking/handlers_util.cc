#include "services/tracking/handlers_util.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"

namespace zhigai::tracking {

absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view collection,
                                         absl::string_view field) {
  std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix)) {
    return InvalidField(field, "AIP-122",
                        absl::StrCat("name must look like ", collection, "/{credit_code}"),
                        "资源名称格式有误");
  }
  std::string code = name.substr(prefix.size());
  RETURN_IF_ERROR(core::ValidateCreditCode(code, field));
  return code;
}

absl::Status NotEligible(const peers::EligibilityAnswer& answer) {
  std::vector<std::string> reasons;
  std::string rule = answer.reasons.empty() ? "R4.1" : answer.reasons.front().rule;
  for (const auto& r : answer.reasons) {
    reasons.push_back(absl::StrCat(r.reason, " (", r.rule, "): ", r.message));
  }
  return RuleViolation(
      "INSTITUTION_NOT_ELIGIBLE", rule,
      absl::StrCat("the institution may not provide this service: ", absl::StrJoin(reasons, "; ")),
      "该服务机构当前不具备提供此项服务的资格");
}

}  // namespace zhigai::tracking
