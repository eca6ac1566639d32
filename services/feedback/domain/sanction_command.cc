#include "services/feedback/domain/sanction_command.h"

#include "absl/strings/str_cat.h"

namespace zhigai::feedback {

std::string SanctionCommandId(absl::string_view institution_credit_code, SanctionKind kind,
                              absl::CivilDay start) {
  const absl::string_view prefix = kind == SanctionKind::kBar ? "bar" : "cancel";
  return absl::StrCat(prefix, ":", institution_credit_code, ":", absl::FormatCivilTime(start));
}

}  // namespace zhigai::feedback
