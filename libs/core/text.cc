#include "libs/core/text.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kFormatRule = "FORMAT";

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool IsWhitespace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\u3000' || c == U'\u00A0';
}

// C0 controls, DEL and the C1 block; newline and tab only where the caller allows them.
bool IsForbiddenControl(char32_t c, bool allow_newline_and_tab) {
  if (allow_newline_and_tab && (c == U'\n' || c == U'\t')) return false;
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

absl::Status ValidateTextImpl(absl::string_view value, absl::string_view field,
                              std::size_t min_chars, std::size_t max_chars, absl::string_view rule,
                              bool multi_line) {
  std::size_t pos = 0;
  std::size_t chars = 0;
  bool blank = true;
  while (pos < value.size()) {
    char32_t c = 0;
    if (!NextCodePoint(value, &pos, &c)) {
      return InvalidField(
          field, kFormatRule,
          absl::StrCat("is not valid UTF-8 (bad byte sequence at byte offset ", pos, ")"),
          absl::StrCat(field, "：不是有效的 UTF-8 文本（第 ", pos, " 字节处编码错误）"));
    }
    ++chars;
    if (IsForbiddenControl(c, multi_line)) {
      std::string code = absl::StrFormat("U+%04X", static_cast<unsigned>(c));
      return InvalidField(field, kFormatRule,
                          absl::StrCat("contains control character ", code, " at character ", chars,
                                       multi_line ? " (only newline and tab are allowed)"
                                                  : " (a single-line value allows none)"),
                          absl::StrCat(field, "：第 ", chars, " 个字符是不允许的控制字符 ", code));
    }
    if (!IsWhitespace(c)) blank = false;
  }
  if (min_chars > 0 && blank) {
    return InvalidField(field, rule, "is required and must not be blank",
                        absl::StrCat(field, "：必填，不能为空"));
  }
  if (chars < min_chars) {
    return InvalidField(
        field, rule, absl::StrCat("has ", chars, " characters, at least ", min_chars, " required"),
        absl::StrCat(field, "：至少需要 ", min_chars, " 个字符，实际 ", chars, " 个"));
  }
  if (chars > max_chars) {
    return InvalidField(field, rule,
                        absl::StrCat("has ", chars, " characters, at most ", max_chars, " allowed"),
                        absl::StrCat(field, "：最多 ", max_chars, " 个字符，实际 ", chars, " 个"));
  }
  return absl::OkStatus();
}

}  // namespace

bool NextCodePoint(absl::string_view text, std::size_t* pos, char32_t* out) {
  if (*pos >= text.size()) return false;
  const auto lead = static_cast<unsigned char>(text[*pos]);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;  // the least value that needs this many bytes (rejects overlongs)
  if (lead < 0x80) {
    *out = lead;
    ++*pos;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
    smallest = 0x10000;
  } else {
    return false;  // continuation byte without a lead, or 0xF8..0xFF
  }
  if (text.size() - *pos < length) return false;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[*pos + i]);
    if (!IsContinuation(byte)) return false;
    value = (value << 6) | (byte & 0x3F);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
  *out = value;
  *pos += length;
  return true;
}

bool IsValidUtf8(absl::string_view text) { return CountChars(text).has_value(); }

std::optional<std::size_t> CountChars(absl::string_view text) {
  std::size_t pos = 0;
  std::size_t chars = 0;
  char32_t c = 0;
  while (pos < text.size()) {
    if (!NextCodePoint(text, &pos, &c)) return std::nullopt;
    ++chars;
  }
  return chars;
}

absl::Status ValidateText(absl::string_view value, absl::string_view field, std::size_t min_chars,
                          std::size_t max_chars, absl::string_view rule) {
  return ValidateTextImpl(value, field, min_chars, max_chars, rule, /*multi_line=*/true);
}

absl::Status ValidateLine(absl::string_view value, absl::string_view field, std::size_t min_chars,
                          std::size_t max_chars, absl::string_view rule) {
  return ValidateTextImpl(value, field, min_chars, max_chars, rule, /*multi_line=*/false);
}

}  // namespace zhigai::core
