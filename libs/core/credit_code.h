// Unified social credit code (统一社会信用代码, GB 32100-2015), RULES.md R0.1. The algorithm
// is described in data/credit-code.md; the test vectors are data/credit-codes.tsv.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::core {

inline constexpr std::size_t kCreditCodeLength = 18;

// R0.1 Decision: valid = 18 ASCII characters from the 31-character set (no I, O, Z, S, V, no
// lower case, nothing trimmed), a known authority/category pair, digits in positions 3-8 and
// the right final check character. The inner GB 11714 check (position 17) is NOT enforced.
// Returns OK or InvalidField(field, "R0.1", ...) naming the first step that failed.
absl::Status ValidateCreditCode(absl::string_view code, absl::string_view field);

// A non-binding remark about a valid code, for the caller to show next to its answer.
struct CreditCodeWarning {
  std::string english;
  std::string chinese;
};

// ValidateCreditCode plus the inner-check warning: `warning` is set only when `status` is OK
// and position 17 does not match the GB 11714 check of positions 9-16.
struct CreditCodeCheck {
  absl::Status status;
  std::optional<CreditCodeWarning> warning;
};
CreditCodeCheck CheckCreditCode(absl::string_view code, absl::string_view field);

// The final check character (position 18) for the first 17 characters of a code; nullopt
// when `first17` is not 17 characters of the code's character set.
std::optional<char> CreditCodeCheckChar(absl::string_view first17);

// The GB 11714 check character (position 17) for the 8-character organisation-code body
// (positions 9-16: digits or upper-case letters); nullopt for any other input.
std::optional<char> OrganizationCodeCheckChar(absl::string_view body8);

// True when `code` has at least 17 characters and its position 17 equals the GB 11714 check
// of positions 9-16.
bool InnerCheckMatches(absl::string_view code);

// True when `authority` (position 1) is a known registration authority and `category`
// (position 2) is one of its categories (table in data/credit-code.md).
bool IsKnownAuthorityCategory(char authority, char category);

}  // namespace zhigai::core
