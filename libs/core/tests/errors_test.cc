#include "libs/core/errors.h"

#include <gtest/gtest.h>

namespace zhigai {
namespace {

TEST(Errors, InvalidFieldCarriesFieldRuleReasonAndChinese) {
  absl::Status s = InvalidField("institution.credit_code", "R0.1", "wrong check character",
                                "统一社会信用代码校验位错误");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(s), "INVALID_FIELD");
  EXPECT_EQ(RuleOf(s), "R0.1");
  EXPECT_EQ(ChineseOf(s), "统一社会信用代码校验位错误");
  auto v = ViolationsOf(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "institution.credit_code");
  EXPECT_EQ(v[0].rule, "R0.1");
  EXPECT_NE(s.message().find("institution.credit_code"), std::string::npos);
}

TEST(Errors, ViolationsCollectsAllFieldsAndKeepsOtherErrors) {
  Violations v;
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.Finish().ok());
  v.Add("a", "FORMAT", "bad a");
  v.Absorb(InvalidField("b", "R5.3", "bad b", "b 错"));
  absl::Status s = v.Finish();
  ASSERT_EQ(ViolationsOf(s).size(), 2u);
  EXPECT_EQ(ViolationsOf(s)[1].field, "b");
  EXPECT_EQ(ChineseOf(s), "请求参数有误：a（FORMAT）；b（R5.3）");

  Violations w;
  w.Absorb(absl::NotFoundError("gone"));
  EXPECT_EQ(w.Finish().code(), absl::StatusCode::kNotFound);
}

TEST(Errors, RuleViolationIsFailedPreconditionWithRule) {
  absl::Status s =
      RuleViolation("FILING_TOO_LATE", "R13.4", "filed after the last day", "逾期备案");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "FILING_TOO_LATE");
  EXPECT_EQ(RuleOf(s), "R13.4");
  EXPECT_NE(s.message().find("R13.4"), std::string::npos);
  absl::Status once = RuleViolation("X", "R13.2", "too few people (R13.2)", "人数不足");
  EXPECT_EQ(once.message(), "too few people (R13.2)");
}

TEST(ErrorsTest, SeparatorsEchoedFromInputDoNotSplitAViolation) {
  // A description echoing client bytes that happen to be the packing separators stays one
  // violation with its field and rule intact.
  absl::Status s = InvalidFields(
      {{"institutions[1]", "S4", "duplicate code \x1e\x1fX"}, {"year", "S1", "out of range"}},
      "两处错误");
  auto found = ViolationsOf(s);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].field, "institutions[1]");
  EXPECT_EQ(found[0].rule, "S4");
  EXPECT_EQ(found[0].description, "duplicate code \\x1e\\x1fX");
  EXPECT_EQ(found[1].field, "year");
  EXPECT_EQ(found[1].rule, "S1");
}

}  // namespace

}  // namespace zhigai
