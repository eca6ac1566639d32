#include "services/registry/handlers_util.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/server/serve.h"

namespace zhigai::registry {

// "institutions/{code}" → code; the code itself is validated (R0.1).
absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view field) {
  if (!absl::StartsWith(name, "institutions/")) {
    return InvalidField(field, "AIP-122", "name must look like institutions/{credit_code}",
                        "资源名称格式应为 institutions/{统一社会信用代码}");
  }
  std::string code = name.substr(strlen("institutions/"));
  RETURN_IF_ERROR(core::ValidateCreditCode(code, field));
  return code;
}

// A county bureau registers, edits and files for institutions registered in its own division
// only (RULES.md: county bureaus act within their division); other callers pass.
absl::Status WithinCountyDivision(const server::Call& call, const std::string& division,
                                  absl::string_view action) {
  if (call.principal.role != auth::Role::kCountyBureau ||
      division == call.principal.division_code) {
    return absl::OkStatus();
  }
  return server::Forbidden("OUTSIDE_DIVISION",
                           absl::StrCat("a county bureau may ", action,
                                        " only institutions registered in its "
                                        "division (",
                                        call.principal.division_code, "), not in ", division),
                           "县级经信部门只能处理本辖区登记的机构");
}

}  // namespace zhigai::registry
