#include "libs/core/text.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "absl/strings/match.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kField = "institution.products_and_strengths";
constexpr std::size_t kProductsLimit = 300;  // DESIGN.md: at most 300 characters

std::string Repeat(absl::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out.append(piece.data(), piece.size());
  return out;
}

TEST(Utf8, AcceptsEachEncodingLengthAtItsBoundaries) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc"));
  EXPECT_TRUE(IsValidUtf8("\x7F"));          // last 1-byte
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));      // U+0080, first 2-byte
  EXPECT_TRUE(IsValidUtf8("\xDF\xBF"));      // U+07FF
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));  // U+0800, first 3-byte
  EXPECT_TRUE(IsValidUtf8("智能化技改培训"));
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000, first 4-byte
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(Utf8, RefusesOverlongSurrogateTooLargeAndTruncated) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));              // overlong U+007F
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));          // overlong U+07FF
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));      // overlong U+FFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));          // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));      // continuation without a lead
  EXPECT_FALSE(IsValidUtf8("\xE6\x99"));  // 智 cut short at the end
  EXPECT_FALSE(
      IsValidUtf8("\xE6\x99"
                  "a"));                        // cut short before ASCII
  EXPECT_FALSE(IsValidUtf8("ok\xF0\x9F\x98"));  // truncated 4-byte
}

TEST(Utf8, NextCodePointDecodesAndAdvances) {
  const std::string text = "智a\xF0\x9F\x98\x80";
  std::size_t pos = 0;
  char32_t c = 0;
  ASSERT_TRUE(NextCodePoint(text, &pos, &c));
  EXPECT_EQ(c, U'\u667A');
  EXPECT_EQ(pos, 3u);
  ASSERT_TRUE(NextCodePoint(text, &pos, &c));
  EXPECT_EQ(c, U'a');
  ASSERT_TRUE(NextCodePoint(text, &pos, &c));
  EXPECT_EQ(c, U'\U0001F600');
  EXPECT_EQ(pos, text.size());
  EXPECT_FALSE(NextCodePoint(text, &pos, &c));

  std::size_t bad = 0;
  EXPECT_FALSE(NextCodePoint("\xED\xA0\x80", &bad, &c));
  EXPECT_EQ(bad, 0u);
}

TEST(Utf8, CountsCharactersNotBytes) {
  EXPECT_EQ(CountChars(""), 0u);
  EXPECT_EQ(CountChars("温州5+5"), 5u);
  EXPECT_EQ(CountChars("\xF0\x9F\x98\x80"), 1u);
  EXPECT_EQ(CountChars("\xC0\xAF"), std::nullopt);
}

TEST(ValidateText, ProductsLimitCountsChineseCharacters) {
  const std::string at_limit = Repeat("优", kProductsLimit);
  ASSERT_EQ(at_limit.size(), 900u);
  EXPECT_TRUE(ValidateText(at_limit, kField, 0, kProductsLimit, "FORMAT").ok());

  absl::Status over = ValidateText(at_limit + "势", kField, 0, kProductsLimit, "LIMIT_RULE");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RuleOf(over), "LIMIT_RULE");
  EXPECT_EQ(ViolationsOf(over)[0].field, kField);
  EXPECT_TRUE(absl::StrContains(over.message(), "has 301 characters, at most 300"));
  EXPECT_TRUE(absl::StrContains(ChineseOf(over), "最多 300 个字符，实际 301 个"));

  // Mixed scripts: 299 Chinese + 1 ASCII is 300 characters.
  EXPECT_TRUE(ValidateText(Repeat("优", 299) + "A", kField, 0, kProductsLimit, "R").ok());
  EXPECT_FALSE(ValidateText(Repeat("优", 299) + "AB", kField, 0, kProductsLimit, "R").ok());
}

TEST(ValidateText, MinimumAndBlank) {
  absl::Status empty = ValidateText("", kField, 1, 10, "R6.1");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(RuleOf(empty), "R6.1");
  EXPECT_TRUE(absl::StrContains(empty.message(), "required"));
  EXPECT_FALSE(ValidateText("  \n\t", kField, 1, 10, "R6.1").ok());
  EXPECT_FALSE(ValidateText("\u3000\u3000", kField, 1, 10, "R6.1").ok());  // ideographic spaces
  EXPECT_TRUE(ValidateText("", kField, 0, 10, "R6.1").ok());
  EXPECT_TRUE(ValidateText("  ", kField, 0, 10, "R6.1").ok());

  absl::Status short_text = ValidateText("智", kField, 2, 10, "R6.1");
  ASSERT_FALSE(short_text.ok());
  EXPECT_TRUE(absl::StrContains(short_text.message(), "has 1 characters, at least 2"));
  EXPECT_TRUE(ValidateText("智改", kField, 2, 10, "R6.1").ok());
}

TEST(ValidateText, NewlineAndTabOnlyInFreeText) {
  EXPECT_TRUE(ValidateText("第一行\n第二行\t缩进", kField, 0, 100, "R").ok());
  absl::Status line = ValidateLine("第一行\n第二行", "institution.name", 0, 100, "R");
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(RuleOf(line), "FORMAT");
  EXPECT_TRUE(absl::StrContains(line.message(), "U+000A at character 4"));
  EXPECT_FALSE(ValidateLine("a\tb", "institution.name", 0, 100, "R").ok());
  EXPECT_TRUE(ValidateLine("温州智改科技有限公司", "institution.name", 1, 100, "R").ok());
}

TEST(ValidateText, OtherControlCharactersAreRefused) {
  for (absl::string_view bad :
       std::initializer_list<absl::string_view>{"a\rb", absl::string_view("a\0b", 3), "a\x07",
                                                "\x1B[0m", "a\x7F", "a\xC2\x85", "\xC2\x9F"}) {
    absl::Status s = ValidateText(bad, kField, 0, 100, "R");
    EXPECT_FALSE(s.ok()) << testing::PrintToString(std::string(bad));
    EXPECT_EQ(RuleOf(s), "FORMAT");
  }
  EXPECT_TRUE(ValidateText("a\xC2\xA0"
                           "b",
                           kField, 0, 100, "R")
                  .ok());  // U+00A0 is not control
}

TEST(ValidateText, InvalidUtf8IsAFormatError) {
  absl::Status s = ValidateText("ab\xED\xA0\x80", kField, 0, 100, "R");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(RuleOf(s), "FORMAT");
  EXPECT_TRUE(absl::StrContains(s.message(), "not valid UTF-8"));
  EXPECT_TRUE(absl::StrContains(s.message(), "byte offset 2"));
  EXPECT_FALSE(ValidateLine("\xE6\x99", kField, 0, 100, "R").ok());
}

}  // namespace
}  // namespace zhigai::core
