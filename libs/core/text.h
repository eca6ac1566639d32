// UTF-8 text checks for user input. Length limits in this project count characters (Unicode
// code points), not bytes (DESIGN.md: "length limits count characters, not bytes"), so a
// 300-character limit admits 300 Chinese characters (900 bytes).
#pragma once

#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::core {

// Decodes the code point that starts at byte `*pos` of `text`. On success stores it in `*out`,
// moves `*pos` past it and returns true. Returns false (leaving `*pos` unchanged) for a
// truncated sequence, a stray continuation byte, an overlong encoding, a surrogate
// (U+D800..U+DFFF) or a value above U+10FFFF.
bool NextCodePoint(absl::string_view text, std::size_t* pos, char32_t* out);

bool IsValidUtf8(absl::string_view text);

// Number of code points, or nullopt when `text` is not valid UTF-8.
std::optional<std::size_t> CountChars(absl::string_view text);

// Multi-line free text (descriptions, notes): valid UTF-8; no control characters except
// newline and tab; between min_chars and max_chars characters. When min_chars > 0 a value of
// only whitespace counts as missing. Bad encoding and control characters are reported under
// the generic rule "FORMAT", a length outside the bounds under `rule` (the caller's rule ID).
absl::Status ValidateText(absl::string_view value, absl::string_view field, std::size_t min_chars,
                          std::size_t max_chars, absl::string_view rule);

// Single-line text (names, titles, addresses): as ValidateText, but newline and tab are
// refused too.
absl::Status ValidateLine(absl::string_view value, absl::string_view field, std::size_t min_chars,
                          std::size_t max_chars, absl::string_view rule);

}  // namespace zhigai::core
