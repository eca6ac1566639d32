#include "libs/core/credit_code.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kRule = "R0.1";

// GB 32100 character set; a character's index here is its value for the final check.
constexpr absl::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Registration authority (position 1) -> categories allowed in position 2, per the table in
// data/credit-code.md. Extend both together when a new authority or category is announced.
struct AuthorityCategories {
  char authority;
  absl::string_view categories;
};
constexpr std::array<AuthorityCategories, 12> kAuthorities = {{
    {'1', "1239"},    // institutional staffing
    {'2', "19"},      // foreign affairs
    {'3', "123459"},  // justice
    {'4', "19"},      // culture
    {'5', "1239"},    // civil affairs
    {'6', "129"},     // tourism
    {'7', "129"},     // religion
    {'8', "19"},      // trade union
    {'9', "123"},     // market regulation
    {'A', "19"},      // Central Military Commission staffing office
    {'N', "1239"},    // agriculture
    {'Y', "1"},       // other
}};

// Weights 3^(i-1) mod 31 for positions 1..17 (data/credit-code.md, "Position 18").
constexpr std::array<int, 17> kFinalWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                               29, 25, 13, 8,  24, 10, 30, 28};
// GB 11714 weights for the 8 organisation-code body characters.
constexpr std::array<int, 8> kInnerWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// Every byte's value in kCharset, or -1: a table, since every intake record checks two codes.
constexpr std::array<int8_t, 256> MakeCharsetValues() {
  std::array<int8_t, 256> values{};
  for (auto& v : values) v = -1;
  for (std::size_t i = 0; i < kCharset.size(); ++i) {
    values[static_cast<unsigned char>(kCharset[i])] = static_cast<int8_t>(i);
  }
  return values;
}
constexpr std::array<int8_t, 256> kCharsetValues = MakeCharsetValues();

int CharsetValue(char c) { return kCharsetValues[static_cast<unsigned char>(c)]; }

// GB 11714 values: digits as themselves, letters A=10 ... Z=35 over the full alphabet.
int InnerValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

const AuthorityCategories* FindAuthority(char authority) {
  for (const auto& entry : kAuthorities) {
    if (entry.authority == authority) return &entry;
  }
  return nullptr;
}

std::string Describe(char32_t c) {
  if (c >= 0x21 && c < 0x7F) return absl::StrCat("'", std::string(1, static_cast<char>(c)), "'");
  return absl::StrFormat("U+%04X", static_cast<unsigned>(c));
}

absl::Status Invalid(absl::string_view field, absl::string_view english,
                     absl::string_view chinese) {
  return InvalidField(field, kRule, absl::StrCat("unified social credit code ", english),
                      absl::StrCat("统一社会信用代码", chinese));
}

// Steps 1-2 of data/credit-code.md: 18 characters, each from the character set.
absl::Status CheckShape(absl::string_view code, absl::string_view field) {
  std::optional<std::size_t> chars = CountChars(code);
  // Undecodable bytes are counted one per byte: still not a valid code either way.
  std::size_t length = chars.value_or(code.size());
  if (length != kCreditCodeLength) {
    return Invalid(field, absl::StrCat("must have exactly 18 characters, got ", length),
                   absl::StrCat("应为 18 位，实际为 ", length, " 位"));
  }
  if (!chars.has_value()) {
    return Invalid(field, "is not valid UTF-8 text", "不是有效的 UTF-8 文本");
  }
  std::size_t pos = 0;
  for (std::size_t position = 1; position <= kCreditCodeLength; ++position) {
    char32_t c = 0;
    NextCodePoint(code, &pos, &c);
    if (c >= 0x80 || CharsetValue(static_cast<char>(c)) < 0) {
      std::string shown = Describe(c);
      return Invalid(
          field,
          absl::StrCat("has character ", shown, " at position ", position,
                       ", which is not allowed (only digits and upper-case letters other than "
                       "I, O, S, V, Z)"),
          absl::StrCat("第 ", position, " 位字符 ", shown,
                       " 不允许（只能是数字或除 I、O、S、V、Z 以外的大写字母）"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsKnownAuthorityCategory(char authority, char category) {
  const AuthorityCategories* entry = FindAuthority(authority);
  return entry != nullptr && entry->categories.find(category) != absl::string_view::npos;
}

std::optional<char> CreditCodeCheckChar(absl::string_view first17) {
  if (first17.size() != kFinalWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < kFinalWeights.size(); ++i) {
    int value = CharsetValue(first17[i]);
    if (value < 0) return std::nullopt;
    sum += value * kFinalWeights[i];
  }
  int check = (31 - sum % 31) % 31;
  return kCharset[check];
}

std::optional<char> OrganizationCodeCheckChar(absl::string_view body8) {
  if (body8.size() != kInnerWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < kInnerWeights.size(); ++i) {
    int value = InnerValue(body8[i]);
    if (value < 0) return std::nullopt;
    sum += value * kInnerWeights[i];
  }
  int r = 11 - sum % 11;
  if (r == 10) return 'X';
  if (r == 11) return '0';
  return static_cast<char>('0' + r);
}

bool InnerCheckMatches(absl::string_view code) {
  if (code.size() < 17) return false;
  std::optional<char> expected = OrganizationCodeCheckChar(code.substr(8, 8));
  return expected.has_value() && *expected == code[16];
}

absl::Status ValidateCreditCode(absl::string_view code, absl::string_view field) {
  if (absl::Status shape = CheckShape(code, field); !shape.ok()) return shape;

  // From here on the code is 18 ASCII characters of the character set.
  const char authority = code[0];
  const char category = code[1];
  const AuthorityCategories* entry = FindAuthority(authority);
  if (entry == nullptr) {
    return Invalid(
        field,
        absl::StrCat("has unknown registration authority '", std::string(1, authority),
                     "' at position 1"),
        absl::StrCat("第 1 位登记管理部门代码 '", std::string(1, authority), "' 不存在"));
  }
  if (entry->categories.find(category) == absl::string_view::npos) {
    return Invalid(field,
                   absl::StrCat("has organisation category '", std::string(1, category),
                                "' at position 2, which registration authority '",
                                std::string(1, authority), "' does not define"),
                   absl::StrCat("第 2 位机构类别代码 '", std::string(1, category),
                                "' 不属于登记管理部门 '", std::string(1, authority), "'"));
  }

  for (std::size_t i = 2; i < 8; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return Invalid(field,
                     absl::StrCat("must have digits in positions 3-8 (division code), got '",
                                  std::string(1, code[i]), "' at position ", i + 1),
                     absl::StrCat("第 3-8 位行政区划码应为数字，第 ", i + 1, " 位为 '",
                                  std::string(1, code[i]), "'"));
    }
  }

  const char expected = *CreditCodeCheckChar(code.substr(0, 17));
  if (code[17] != expected) {
    return Invalid(field,
                   absl::StrCat("has wrong check character '", std::string(1, code[17]),
                                "' at position 18 (expected '", std::string(1, expected), "')"),
                   absl::StrCat("第 18 位校验码错误：应为 '", std::string(1, expected),
                                "'，实际为 '", std::string(1, code[17]), "'"));
  }
  return absl::OkStatus();
}

CreditCodeCheck CheckCreditCode(absl::string_view code, absl::string_view field) {
  CreditCodeCheck result{ValidateCreditCode(code, field), std::nullopt};
  // R0.1 Decision: the inner GB 11714 check is reported, never enforced.
  if (result.status.ok() && !InnerCheckMatches(code)) {
    // Positions 9-16 of a valid code are digits or upper-case letters, so a check exists.
    const std::string expected(1, *OrganizationCodeCheckChar(code.substr(8, 8)));
    result.warning = CreditCodeWarning{
        absl::StrCat(field, ": position 17 '", std::string(1, code[16]),
                     "' does not match the GB 11714 organisation-code check (expected '", expected,
                     "'); the code is accepted (R0.1), please double-check it"),
        absl::StrCat(field, "：第 17 位 '", std::string(1, code[16]),
                     "' 与组织机构代码（GB 11714）校验码不符（应为 '", expected,
                     "'），代码仍予接受（R0.1），请核对"),
    };
  }
  return result;
}

}  // namespace zhigai::core
