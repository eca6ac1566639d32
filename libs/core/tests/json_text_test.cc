#include "libs/core/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace zhigai::core {
namespace {

std::string Quoted(absl::string_view s) {
  std::string out = "x=";
  AppendJsonString(out, s);
  return out;
}

TEST(JsonText, EscapesQuoteBackslashAndControlCharactersAndAppends) {
  EXPECT_EQ(Quoted("a\"b\\c"), R"(x="a\"b\\c")");
  EXPECT_EQ(Quoted("\n\r\t"), R"(x="\n\r\t")");
  EXPECT_EQ(Quoted(std::string("\x01\x1f", 2)), R"(x="\u0001\u001f")");
  EXPECT_EQ(Quoted(std::string(1, '\0')), R"(x="\u0000")");
}

TEST(JsonText, CopiesPrintableAsciiAndUtf8AsTheyAre) {
  EXPECT_EQ(Quoted(" ~温州市经信局"), "x=\" ~温州市经信局\"");
  EXPECT_EQ(Quoted("\x7f"), "x=\"\x7f\"") << "DEL is not a control character in RFC 8259";
  EXPECT_EQ(Quoted(""), "x=\"\"");
}

}  // namespace
}  // namespace zhigai::core
