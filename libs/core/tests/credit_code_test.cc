#include "libs/core/credit_code.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "libs/core/errors.h"
#include "libs/core/tsv.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kField = "institution.credit_code";
constexpr absl::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Expects an R0.1 refusal of `code` whose English message contains `english_part`.
void ExpectRefused(absl::string_view code, absl::string_view english_part) {
  absl::Status s = ValidateCreditCode(code, kField);
  ASSERT_FALSE(s.ok()) << code;
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RuleOf(s), "R0.1");
  ASSERT_EQ(ViolationsOf(s).size(), 1u);
  EXPECT_EQ(ViolationsOf(s)[0].field, kField);
  EXPECT_TRUE(absl::StrContains(s.message(), english_part)) << s.message();
  EXPECT_TRUE(absl::StrContains(ChineseOf(s), "统一社会信用代码")) << ChineseOf(s);
}

TEST(CreditCode, EveryVectorInDataFileHasTheExpectedValidity) {
  absl::StatusOr<TsvRows> rows =
      ReadTsv(ZHIGAI_DATA_DIR "/credit-codes.tsv", {"code", "valid", "why"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  int valid = 0;
  int invalid = 0;
  for (const auto& row : *rows) {
    ASSERT_TRUE(row[1] == "true" || row[1] == "false") << row[1];
    const bool expected = row[1] == "true";
    absl::Status s = ValidateCreditCode(row[0], kField);
    EXPECT_EQ(s.ok(), expected) << "code '" << row[0] << "' (" << row[2] << "): " << s;
    if (expected) {
      ++valid;
      EXPECT_EQ(CreditCodeCheckChar(row[0].substr(0, 17)), row[0][17]) << row[0];
    } else {
      ++invalid;
      EXPECT_EQ(RuleOf(s), "R0.1") << row[0];
    }
  }
  EXPECT_GT(valid, 0);
  EXPECT_GT(invalid, 0);
}

TEST(CreditCode, WorkedExampleDigitsOnly) {
  EXPECT_EQ(OrganizationCodeCheckChar("12345678"), '8');
  EXPECT_EQ(CreditCodeCheckChar("91330302123456788"), 'P');
  EXPECT_TRUE(ValidateCreditCode("91330302123456788P", kField).ok());
  EXPECT_TRUE(InnerCheckMatches("91330302123456788P"));
}

TEST(CreditCode, WorkedExampleWithLettersUsesTwoDifferentValueTables) {
  // GB 11714 counts M as 22, the final check as 21: mixing them up breaks one of these.
  EXPECT_EQ(OrganizationCodeCheckChar("MA2H3K4L"), '4');
  EXPECT_EQ(CreditCodeCheckChar("91330303MA2H3K4L4"), 'J');
  EXPECT_TRUE(ValidateCreditCode("91330303MA2H3K4L4J", kField).ok());
}

TEST(CreditCode, InnerCheckRemaindersMapToXAndZero) {
  EXPECT_EQ(OrganizationCodeCheckChar("25406811"), 'X');
  EXPECT_EQ(OrganizationCodeCheckChar("10000004"), '0');
  EXPECT_EQ(OrganizationCodeCheckChar("1234567"), std::nullopt);
  EXPECT_EQ(OrganizationCodeCheckChar("1234567a"), std::nullopt);
}

TEST(CreditCode, FinalCheckZeroAndLastCharacterOfSet) {
  EXPECT_EQ(CreditCodeCheckChar("91330302100000040"), '0');
  EXPECT_EQ(CreditCodeCheckChar("91330302100000227"), 'Y');
  EXPECT_EQ(CreditCodeCheckChar("9133030210000004"), std::nullopt);
  EXPECT_EQ(CreditCodeCheckChar("9133030210000004I"), std::nullopt);
}

TEST(CreditCode, RealPublishedCodesPassBothChecks) {
  for (absl::string_view code :
       {"914403001922038216", "91440300708461136T", "11331002002673575G", "113310020026732928"}) {
    EXPECT_TRUE(ValidateCreditCode(code, kField).ok()) << code;
    EXPECT_TRUE(InnerCheckMatches(code)) << code;
  }
}

TEST(CreditCode, EveryOtherFinalCharacterIsRefused) {
  const std::string good = "91330303MA2H3K4L4J";
  for (char c : kCharset) {
    std::string code = good.substr(0, 17) + c;
    EXPECT_EQ(ValidateCreditCode(code, kField).ok(), c == 'J') << code;
  }
  ExpectRefused("913303021234567880", "wrong check character '0' at position 18 (expected 'P')");
}

TEST(CreditCode, LengthIsCheckedFirstAndCountsCharacters) {
  ExpectRefused("", "exactly 18 characters, got 0");
  ExpectRefused("91330302123456788", "got 17");
  ExpectRefused("91330302123456788P1", "got 19");
  // 18 full-width digits are 54 bytes but 18 characters: the character-set step refuses them.
  ExpectRefused(
      "\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x93\xEF\xBC\x90\xEF\xBC\x93"
      "\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94"
      "\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98\xEF\xBC\x98P",
      "character U+FF19 at position 1");
}

TEST(CreditCode, NothingIsTrimmedOrUpperCased) {
  ExpectRefused(" 91330302123456788P", "got 19");
  ExpectRefused("91330302123456788P ", "got 19");
  ExpectRefused(" 1330302123456788P", "character U+0020 at position 1");
  ExpectRefused("91330303ma2h3k4l4j", "character 'm' at position 9");
}

TEST(CreditCode, ForbiddenLettersAreRefusedAtTheirPosition) {
  for (char c : {'I', 'O', 'Z', 'S', 'V'}) {
    std::string code = "91330303MA2H3K4L4J";
    code[10] = c;
    ExpectRefused(code, std::string("character '") + c + "' at position 11");
  }
}

TEST(CreditCode, AuthorityAndCategoryPairs) {
  ExpectRefused("013303021234567881", "unknown registration authority '0'");
  ExpectRefused("94330302123456788E", "category '4' at position 2");
  ExpectRefused("54330302123456788J", "authority '5' does not define");
  ExpectRefused("15330302123456788K", "category '5'");

  EXPECT_TRUE(IsKnownAuthorityCategory('9', '1'));
  EXPECT_TRUE(IsKnownAuthorityCategory('9', '3'));
  EXPECT_FALSE(IsKnownAuthorityCategory('9', '9'));
  EXPECT_TRUE(IsKnownAuthorityCategory('3', '5'));
  EXPECT_FALSE(IsKnownAuthorityCategory('3', '6'));
  EXPECT_TRUE(IsKnownAuthorityCategory('A', '9'));
  EXPECT_TRUE(IsKnownAuthorityCategory('N', '3'));
  EXPECT_TRUE(IsKnownAuthorityCategory('Y', '1'));
  EXPECT_FALSE(IsKnownAuthorityCategory('Y', '9'));
  EXPECT_FALSE(IsKnownAuthorityCategory('B', '1'));
  EXPECT_FALSE(IsKnownAuthorityCategory('0', '1'));
}

TEST(CreditCode, AuthorityPairIsCheckedEvenWithACorrectFinalCharacter) {
  // Valid final check over "Y9..." proves the pair step, not the check step, refuses it.
  std::string code = "Y9330302123456788";
  code += *CreditCodeCheckChar(code);
  ExpectRefused(code, "category '9' at position 2");
  std::string fine = "Y1330302123456788";
  fine += *CreditCodeCheckChar(fine);
  EXPECT_TRUE(ValidateCreditCode(fine, kField).ok());
}

TEST(CreditCode, DivisionPositionsMustBeDigits) {
  ExpectRefused("9133A302123456788K", "got 'A' at position 5");
  std::string code = "91330302123456788";
  code[7] = 'B';
  code += *CreditCodeCheckChar(code);
  ExpectRefused(code, "position 8");
  // A division that no longer exists (or never did) is fine: only digits are checked.
  std::string old = "91999999123456788";
  old += *CreditCodeCheckChar(old);
  EXPECT_TRUE(ValidateCreditCode(old, kField).ok());
}

TEST(CreditCode, InnerCheckIsOnlyAWarning) {
  const absl::string_view wrong_inner = "913303021234567812";
  EXPECT_FALSE(InnerCheckMatches(wrong_inner));
  CreditCodeCheck check = CheckCreditCode(wrong_inner, kField);
  EXPECT_TRUE(check.status.ok());
  ASSERT_TRUE(check.warning.has_value());
  EXPECT_TRUE(absl::StrContains(check.warning->english, "position 17 '1'"));
  EXPECT_TRUE(absl::StrContains(check.warning->english, "expected '8'"));
  EXPECT_TRUE(absl::StrContains(check.warning->chinese, "第 17 位"));

  CreditCodeCheck clean = CheckCreditCode("91330302123456788P", kField);
  EXPECT_TRUE(clean.status.ok());
  EXPECT_FALSE(clean.warning.has_value());

  CreditCodeCheck refused = CheckCreditCode("913303021234567880", kField);
  EXPECT_FALSE(refused.status.ok());
  EXPECT_FALSE(refused.warning.has_value());
}

TEST(CreditCode, InnerCheckNeedsSeventeenCharacters) {
  EXPECT_FALSE(InnerCheckMatches(""));
  EXPECT_FALSE(InnerCheckMatches("9133030212345678"));
  EXPECT_TRUE(InnerCheckMatches("91330302123456788"));
}

}  // namespace
}  // namespace zhigai::core
