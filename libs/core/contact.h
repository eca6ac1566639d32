// Contact details of people on institution and enterprise records (DESIGN.md: contact person
// phone and e-mail; personal data, so error messages never repeat the value).
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::core {

// Mainland mobile number: 11 digits, "1" then 3-9, no spaces or +86 prefix (13812345678).
bool IsMobilePhone(absl::string_view value);

// Mainland landline with area code and hyphen: 3-digit area codes 010 and 020-029, 4-digit
// codes 03xx-09xx; a local number of 7 or 8 digits not starting with 0 or 1; optionally
// "-" and an extension of 1-6 digits (0577-88886666, 010-62345678, 0577-88886666-123).
bool IsLandlinePhone(absl::string_view value);

// Mobile or landline as above; InvalidField(field, "FORMAT", ...) otherwise.
absl::Status ValidatePhone(absl::string_view value, absl::string_view field);

// Pragmatic e-mail check: ASCII local@domain.tld; at most 254 characters; local part 1-64
// characters of letters, digits and !#$%&'*+/=?^_`{|}~.- without leading, trailing or double
// dots; domain of at least two dot-separated labels of 1-63 letters, digits or inner hyphens,
// the last (top-level) label at least two letters. InvalidField(field, "FORMAT", ...) naming
// the part that failed.
absl::Status ValidateEmail(absl::string_view value, absl::string_view field);

}  // namespace zhigai::core
