#include "services/evaluation/domain/score_sheet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

using ::testing::HasSubstr;

Rational F(int64_t num, int64_t den) { return *Rational::Fraction(num, den); }

InstitutionInput Basic(std::string code = "CODE-A") {
  InstitutionInput in;
  in.credit_code = std::move(code);
  in.name = "温州甲咨询有限公司";
  return in;
}

ScoreSheet Score(const InstitutionInput& in) {
  absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(in, TestRulesV1());
  EXPECT_TRUE(sheet.ok()) << sheet.status();
  return sheet.ok() ? *sheet : ScoreSheet{};
}

TEST(ScoreSheetTest, S1_1CountsAndCaps) {
  InstitutionInput in = Basic();
  in.approved_diagnosis = 10;
  in.approved_solution_design = 5;  // 10×1 + 5×2 = 20
  EXPECT_EQ(Score(in).items[kS1_1].points, Rational::Integer(20));
  in.approved_diagnosis = 28;
  in.approved_solution_design = 1;  // 28 + 2 = 30, exactly the cap
  EXPECT_EQ(Score(in).items[kS1_1].points, Rational::Integer(30));
  in.approved_diagnosis = 29;  // 29 + 2 = 31 → 30
  EXPECT_EQ(Score(in).items[kS1_1].points, Rational::Integer(30));
  in.approved_diagnosis = 0;
  in.approved_solution_design = 20;  // 40 → 30
  ScoreSheet capped = Score(in);
  EXPECT_EQ(capped.items[kS1_1].points, Rational::Integer(30));
  EXPECT_THAT(capped.items[kS1_1].applied_english, HasSubstr("= 40; capped at 30 → 30"));
  EXPECT_THAT(capped.items[kS1_1].applied_chinese, HasSubstr("30分封顶"));
}

TEST(ScoreSheetTest, S1_2UsesBandAndNoDeclaredIsZero) {
  InstitutionInput in = Basic();
  ScoreSheet none = Score(in);
  EXPECT_EQ(none.items[kS1_2].points, Rational());
  EXPECT_EQ(none.items[kS1_2].applied_english, "no project declared → 0");
  in.declared_projects = 200;
  in.approved_projects = 121;  // 60.5% → 60% < rate ≤ 70% → 4
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS1_2].points, Rational::Integer(4));
  EXPECT_EQ(sheet.items[kS1_2].applied_english,
            "rate = 121 approved ÷ 200 declared = 60.50%; band 60% < rate ≤ 70% → 4");
  EXPECT_EQ(sheet.items[kS1_2].applied_chinese,
            "合格率 = 合格121项 ÷ 申报200项 = 60.50%；适用 60%<合格率≤70% → 4分");
}

TEST(ScoreSheetTest, S1_3MeanOfScaledTests) {
  InstitutionInput in = Basic();
  EXPECT_EQ(Score(in).items[kS1_3].points, Rational());  // no test → 0
  // 85/100 × 10 = 8.5; 42/50 × 10 = 8.4; mean (8.5 + 8.4) ÷ 2 = 16.9 ÷ 2 = 8.45 = 169/20
  in.tests = {{8500, 10000}, {4200, 5000}};
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS1_3].points, F(169, 20));
  EXPECT_EQ(sheet.items[kS1_3].inputs, "85.00/100.00 → 8.50; 42.00/50.00 → 8.40");
  // 1/3 of the marks: 100/300 × 10 = 10/3, kept exact.
  in.tests = {{10000, 30000}};
  EXPECT_EQ(Score(in).items[kS1_3].points, F(10, 3));
  // An absence scores 0 for that test (R8.1 decision, applied by the training service).
  in.tests = {{10000, 10000}, {0, 10000}};  // (10 + 0) ÷ 2 = 5
  EXPECT_EQ(Score(in).items[kS1_3].points, Rational::Integer(5));
}

TEST(ScoreSheetTest, S1_3AnUnexcusedAbsenceScoresZeroAndSaysWhy) {
  InstitutionInput in = Basic();
  // R8.1 (2026-12): the absence scores 0 even if a stray score came with it, and the sheet
  // names it instead of a bare 0.00/100.00.
  in.tests = {{9000, 10000}, {7000, 10000, /*unexcused_absence=*/true}};
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS1_3].points, F(9, 2));  // (9 + 0) ÷ 2
  EXPECT_EQ(sheet.items[kS1_3].inputs, "90.00/100.00 → 9.00; unexcused absence (R8.1) → 0.00");
  EXPECT_NE(sheet.items[kS1_3].applied_english.find("1 unexcused absence(s) scored 0 (R8.1)"),
            std::string::npos)
      << sheet.items[kS1_3].applied_english;
  EXPECT_NE(sheet.items[kS1_3].applied_chinese.find("无故缺考1次"), std::string::npos);
}

TEST(ScoreSheetTest, S1_3AResultMissingAtTheCloseIsAnAbsenceTheSheetNames) {
  InstitutionInput in = Basic();
  // R8.1 Decision (2026-12): expected, no result when the session closed -> unexcused absence.
  in.tests = {{8000, 10000}, {0, 10000, /*unexcused_absence=*/true, /*no_result_at_close=*/true}};
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS1_3].points, F(4, 1));  // (8 + 0) ÷ 2
  EXPECT_EQ(sheet.items[kS1_3].inputs,
            "80.00/100.00 → 8.00; no result when the session closed: unexcused absence (R8.1) → "
            "0.00");
}

TEST(ScoreSheetTest, S2MeanOfRatingsAndNoneIsZero) {
  InstitutionInput in = Basic();
  ScoreSheet none = Score(in);
  EXPECT_EQ(none.items[kS2_1].points, Rational());
  EXPECT_EQ(none.items[kS2_1].applied_english, "no rating received → 0");
  in.content_ratings = {3, 1, 0, 1};  // (3×10 + 1×8 + 0×5 + 1×0) ÷ 5 = 38/5 = 7.6
  in.result_ratings = {0, 0, 0, 4};   // four unsatisfied: 0 ÷ 4 = 0 (received, not "none")
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS2_1].points, F(38, 5));
  EXPECT_EQ(sheet.items[kS2_1].applied_english,
            "(3 × 10 + 1 × 8 + 0 × 5 + 1 × 0) ÷ 5 ratings = 38 ÷ 5 → 7.60");
  EXPECT_EQ(sheet.items[kS2_2].points, Rational());
  EXPECT_THAT(sheet.items[kS2_2].applied_english, HasSubstr("÷ 4 ratings"));
}

TEST(ScoreSheetTest, S3BandsTheUnroundedMean) {
  InstitutionInput in = Basic();
  ScoreSheet none = Score(in);
  EXPECT_EQ(none.items[kS3].points, Rational());
  EXPECT_EQ(none.items[kS3].applied_english, "no defence score recorded → 0");
  in.defence_scores_hundredths = {9000, 9001};  // 180.01 ÷ 2 = 90.005 > 90 → 30
  ScoreSheet sheet = Score(in);
  EXPECT_EQ(sheet.items[kS3].points, Rational::Integer(30));
  EXPECT_EQ(sheet.items[kS3].applied_english,
            "mean of 2 panel score(s) = 180.01 ÷ 2 = 90.01; band s > 90 → 30");
}

TEST(ScoreSheetTest, TotalsAreSummedUnrounded) {
  InstitutionInput in = Basic();
  in.content_ratings = {2, 0, 1, 0};  // (20 + 5) ÷ 3 = 25/3 = 8.33…
  in.result_ratings = {2, 0, 1, 0};   // 25/3
  ScoreSheet sheet = Score(in);
  // Displayed items 8.33 + 8.33 = 16.66, but S2 = 50/3 = 16.666… shows 16.67.
  EXPECT_EQ(sheet.s2, F(50, 3));
  EXPECT_EQ(sheet.s2.ToFixed2(), "16.67");
  EXPECT_EQ(sheet.total, F(50, 3));
}

TEST(ScoreSheetTest, ItemsCarryIdsTitlesAndMaxima) {
  ScoreSheet sheet = Score(Basic());
  const char* ids[] = {"S1.1", "S1.2", "S1.3", "S2.1", "S2.2", "S3"};
  const int64_t maxima[] = {30, 10, 10, 10, 10, 30};  // sums to 100 (R11.1)
  for (std::size_t i = 0; i < kItemCount; ++i) {
    EXPECT_EQ(sheet.items[i].id, ids[i]);
    EXPECT_EQ(sheet.items[i].max_points, maxima[i]);
    EXPECT_FALSE(sheet.items[i].title_chinese.empty());
  }
  EXPECT_EQ(sheet.items[kS1_1].title_chinese, "成功服务项目数量");
  EXPECT_EQ(sheet.items[kS3].title_chinese, "业务答辩");
}

TEST(ScoreSheetTest, ApprovedAboveDeclaredIsAnInputError) {
  InstitutionInput in = Basic();
  in.declared_projects = 3;
  in.approved_projects = 4;
  absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(in, TestRulesV1());
  ASSERT_EQ(sheet.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> v = ViolationsOf(sheet.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "approved_projects");
  EXPECT_EQ(v[0].rule, "S1.2");
  EXPECT_FALSE(ChineseOf(sheet.status()).empty());
}

TEST(ScoreSheetTest, EveryBadFieldIsReported) {
  InstitutionInput in = Basic("");
  in.approved_diagnosis = -1;
  in.tests = {{10001, 10000}, {0, 0}};
  in.content_ratings.average = -2;
  in.defence_scores_hundredths = {10001};
  in.verified_complaints = -1;
  absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(in, TestRulesV1());
  ASSERT_EQ(sheet.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : ViolationsOf(sheet.status())) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre(
                          "credit_code", "approved_diagnosis", "tests[0].score_hundredths",
                          "tests[1].full_marks_hundredths", "content_ratings.average",
                          "defence_scores_hundredths[0]", "verified_complaints"));
}

TEST(ScoreSheetTest, BatchRefusesDuplicateCodeAndNamesTheBadRow) {
  std::vector<InstitutionInput> inputs = {Basic("A"), Basic("B"), Basic("A")};
  EXPECT_EQ(ComputeScoreSheets(inputs, TestRulesV1()).status().code(),
            absl::StatusCode::kInvalidArgument);

  inputs[2].credit_code = "C";
  inputs[1].approved_projects = 1;  // declared 0
  absl::StatusOr<std::vector<ScoreSheet>> sheets = ComputeScoreSheets(inputs, TestRulesV1());
  ASSERT_EQ(sheets.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(ViolationsOf(sheets.status()).size(), 1u);
  EXPECT_EQ(ViolationsOf(sheets.status())[0].field, "institutions[1].approved_projects");

  inputs[1].approved_projects = 0;
  sheets = ComputeScoreSheets(inputs, TestRulesV1());
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  ASSERT_EQ(sheets->size(), 3u);
  EXPECT_EQ((*sheets)[2].credit_code, "C");  // input order kept
}

TEST(ScoreSheetTest, ExclusionIsCarriedAndDescribed) {
  InstitutionInput in = Basic();
  in.exclusion = Exclusion::kBarred;
  EXPECT_EQ(Score(in).exclusion, Exclusion::kBarred);
  EXPECT_EQ(DescribeExclusion(Exclusion::kBarred).rule, "R14.5");
  EXPECT_EQ(DescribeExclusion(Exclusion::kCancelled).rule, "R14.4");
  EXPECT_EQ(DescribeExclusion(Exclusion::kCancelled).reason, "CANCELLED");
  EXPECT_TRUE(DescribeExclusion(Exclusion::kNone).reason.empty());
}

}  // namespace
}  // namespace zhigai::evaluation
