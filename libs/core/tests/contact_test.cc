#include "libs/core/contact.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kPhone = "institution.contact.phone";
constexpr absl::string_view kEmail = "institution.contact.email";

TEST(Phone, MobileNumbers) {
  EXPECT_TRUE(IsMobilePhone("13812345678"));
  EXPECT_TRUE(IsMobilePhone("13012345678"));
  EXPECT_TRUE(IsMobilePhone("19912345678"));
  EXPECT_FALSE(IsMobilePhone("12812345678"));  // second digit below 3
  EXPECT_FALSE(IsMobilePhone("10812345678"));
  EXPECT_FALSE(IsMobilePhone("23812345678"));   // not starting with 1
  EXPECT_FALSE(IsMobilePhone("1381234567"));    // 10 digits
  EXPECT_FALSE(IsMobilePhone("138123456789"));  // 12 digits
  EXPECT_FALSE(IsMobilePhone("138 1234 5678"));
  EXPECT_FALSE(IsMobilePhone("+8613812345678"));
  EXPECT_FALSE(IsMobilePhone("1381234567a"));
}

TEST(Phone, LandlineWithAreaCode) {
  EXPECT_TRUE(IsLandlinePhone("0577-88886666"));
  EXPECT_TRUE(IsLandlinePhone("0577-8888666"));  // 7-digit local number
  EXPECT_TRUE(IsLandlinePhone("010-62345678"));
  EXPECT_TRUE(IsLandlinePhone("021-52345678"));
  EXPECT_TRUE(IsLandlinePhone("0577-88886666-1"));
  EXPECT_TRUE(IsLandlinePhone("0577-88886666-123456"));

  EXPECT_FALSE(IsLandlinePhone("057788886666"));  // hyphen required
  EXPECT_FALSE(IsLandlinePhone("0577 88886666"));
  EXPECT_FALSE(IsLandlinePhone("88886666"));               // no area code
  EXPECT_FALSE(IsLandlinePhone("0577-888866"));            // 6-digit local number
  EXPECT_FALSE(IsLandlinePhone("0577-888866661"));         // 9-digit local number
  EXPECT_FALSE(IsLandlinePhone("0577-08886666"));          // local number starting 0
  EXPECT_FALSE(IsLandlinePhone("021-12345678"));           // local number starting 1
  EXPECT_FALSE(IsLandlinePhone("057-88886666"));           // 05x is not a 3-digit area code
  EXPECT_FALSE(IsLandlinePhone("011-62345678"));           // only 010 among 01x
  EXPECT_FALSE(IsLandlinePhone("0101-6234567"));           // no 4-digit code starts 01
  EXPECT_FALSE(IsLandlinePhone("0211-6234567"));           // nor 02
  EXPECT_FALSE(IsLandlinePhone("05777-8888666"));          // 5-digit area code
  EXPECT_FALSE(IsLandlinePhone("577-88886666"));           // area code without 0
  EXPECT_FALSE(IsLandlinePhone("0577-88886666-"));         // empty extension
  EXPECT_FALSE(IsLandlinePhone("0577-88886666-1234567"));  // 7-digit extension
  EXPECT_FALSE(IsLandlinePhone("0577-88886666-12-3"));
}

TEST(Phone, ValidateAcceptsBothKindsAndNamesTheField) {
  EXPECT_TRUE(ValidatePhone("13812345678", kPhone).ok());
  EXPECT_TRUE(ValidatePhone("0577-88886666", kPhone).ok());

  absl::Status s = ValidatePhone("0577 8888 6666", kPhone);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RuleOf(s), "FORMAT");
  EXPECT_EQ(ViolationsOf(s)[0].field, kPhone);
  EXPECT_TRUE(absl::StrContains(s.message(), "0577-88886666"));    // shows the expected shape
  EXPECT_FALSE(absl::StrContains(s.message(), "0577 8888 6666"));  // never the personal value
  EXPECT_TRUE(absl::StrContains(ChineseOf(s), "电话号码格式错误"));

  absl::Status empty = ValidatePhone("", kPhone);
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(absl::StrContains(empty.message(), "required"));
}

TEST(Email, AcceptsOrdinaryAddresses) {
  for (absl::string_view ok : {"a@b.cn", "zhang.san@wz-tech.com.cn", "user+tag@example.com",
                               "x_y-z@163.com", "Service@Example.ORG"}) {
    EXPECT_TRUE(ValidateEmail(ok, kEmail).ok()) << ok;
  }
}

// Expects a FORMAT refusal whose message contains `part` and not the address itself.
void ExpectBadEmail(const std::string& value, absl::string_view part) {
  absl::Status s = ValidateEmail(value, kEmail);
  ASSERT_FALSE(s.ok()) << value;
  EXPECT_EQ(RuleOf(s), "FORMAT");
  EXPECT_EQ(ViolationsOf(s)[0].field, kEmail);
  EXPECT_TRUE(absl::StrContains(s.message(), part)) << value << ": " << s.message();
  EXPECT_FALSE(absl::StrContains(s.message(), value)) << "leaks personal data: " << s.message();
  EXPECT_FALSE(ChineseOf(s).empty());
}

TEST(Email, RefusesEachBrokenPart) {
  EXPECT_TRUE(absl::StrContains(ValidateEmail("", kEmail).message(), "required"));
  ExpectBadEmail("zhangsan.example.com", "exactly one '@'");
  ExpectBadEmail("a@b@example.com", "exactly one '@'");
  ExpectBadEmail("@example.com", "1 to 64");
  ExpectBadEmail(".a@example.com", "dot");
  ExpectBadEmail("a.@example.com", "dot");
  ExpectBadEmail("a..b@example.com", "dot");
  ExpectBadEmail("a(b)@example.com", "character '(' is not allowed");
  ExpectBadEmail("a b@example.com", "ASCII");
  ExpectBadEmail("张三@example.com", "ASCII");
  ExpectBadEmail("a@localhost", "top-level");
  ExpectBadEmail("a@example.c", "at least two letters");
  ExpectBadEmail("a@example.c0m", "at least two letters");
  ExpectBadEmail("a@-example.com", "inner hyphens");
  ExpectBadEmail("a@example-.com", "inner hyphens");
  ExpectBadEmail("a@example..com", "inner hyphens");
  ExpectBadEmail("a@example.com.", "inner hyphens");
  ExpectBadEmail("a@exa_mple.com", "inner hyphens");
}

TEST(Email, LengthBoundaries) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(ValidateEmail(local64 + "@example.com", kEmail).ok());
  ExpectBadEmail(local64 + "a@example.com", "1 to 64");

  const std::string label63(63, 'b');
  EXPECT_TRUE(ValidateEmail("a@" + label63 + ".cn", kEmail).ok());
  ExpectBadEmail("a@" + label63 + "b.cn", "1 to 63");

  // 64 + 1 + 189 = 254 characters, the most allowed.
  const std::string domain189 =
      std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(58, 'c') + ".cn";
  ASSERT_EQ(domain189.size(), 189u);
  EXPECT_TRUE(ValidateEmail(local64 + "@" + domain189, kEmail).ok());
  ExpectBadEmail(local64 + "@d" + domain189, "longer than 254");
}

}  // namespace
}  // namespace zhigai::core
