#include "services/evaluation/domain/export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

InstitutionInput Sample() {
  InstitutionInput in;
  in.credit_code = "CODE-1";
  in.name = "温州甲咨询";
  in.approved_diagnosis = 3;
  in.declared_projects = 10;
  in.approved_projects = 7;
  in.tests = {{8550, 10000}};
  in.content_ratings = {1, 0, 0, 0};
  in.defence_scores_hundredths = {7050};
  return in;
}

std::vector<ScoreSheet> Sheets(const std::vector<InstitutionInput>& inputs) {
  absl::StatusOr<std::vector<ScoreSheet>> sheets = ComputeScoreSheets(inputs, TestRulesV1());
  EXPECT_TRUE(sheets.ok()) << sheets.status();
  return sheets.ok() ? *sheets : std::vector<ScoreSheet>{};
}

TEST(ExportTest, SheetJsonIsExactlyAsDocumented) {
  // Hand-written: S1.1 3×1 = 3; S1.2 7/10 = 70% → 4; S1.3 85.5/100×10 = 8.55; S2.1 10÷1 = 10;
  // S2.2 none → 0; S3 70.5 → 70 < s ≤ 80 → 20. S1 = 3 + 4 + 8.55 = 15.55, S2 = 10,
  // total = 15.55 + 10 + 20 = 45.55.
  const std::string expected =
      "{\"score_sheets\":[{\"credit_code\":\"CODE-1\",\"name\":\"温州甲咨询\",\"exclusion\":null,"
      "\"items\":["
      "{\"id\":\"S1.1\",\"title_en\":\"Successful service "
      "projects\",\"title_zh\":\"成功服务项目数量\","
      "\"inputs\":\"diagnosis=3; solution_design=0\","
      "\"applied_en\":\"3 diagnosis × 1 + 0 solution design × 2 = 3; capped at 30 → 3\","
      "\"applied_zh\":\"诊断3项×1分 + 方案设计0项×2分 = 3分；30分封顶 → 3分\","
      "\"points\":3.00,\"max_points\":30.00},"
      "{\"id\":\"S1.2\",\"title_en\":\"Project pass rate\",\"title_zh\":\"服务项目合格率\","
      "\"inputs\":\"approved=7; declared=10\","
      "\"applied_en\":\"rate = 7 approved ÷ 10 declared = 70.00%; band 60% < rate ≤ 70% → 4\","
      "\"applied_zh\":\"合格率 = 合格7项 ÷ 申报10项 = 70.00%；适用 60%<合格率≤70% → 4分\","
      "\"points\":4.00,\"max_points\":10.00},"
      "{\"id\":\"S1.3\",\"title_en\":\"Training test\",\"title_zh\":\"培训测评情况\","
      "\"inputs\":\"85.50/100.00 → 8.55\","
      "\"applied_en\":\"mean over 1 test(s) of score ÷ full marks × 10 → 8.55\","
      "\"applied_zh\":\"1次测评按满分10分折算后取平均 → 8.55分\","
      "\"points\":8.55,\"max_points\":10.00},"
      "{\"id\":\"S2.1\",\"title_en\":\"Service content\",\"title_zh\":\"服务内容\","
      "\"inputs\":\"very_satisfied=1; fairly_satisfied=0; average=0; unsatisfied=0\","
      "\"applied_en\":\"(1 × 10 + 0 × 8 + 0 × 5 + 0 × 0) ÷ 1 ratings = 10 ÷ 1 → 10.00\","
      "\"applied_zh\":\"(非常满意1×10 + 比较满意0×8 + 一般0×5 + 不满意0×0) ÷ 1份评价 = 10 ÷ 1 → "
      "10.00分\","
      "\"points\":10.00,\"max_points\":10.00},"
      "{\"id\":\"S2.2\",\"title_en\":\"Service results\",\"title_zh\":\"服务结果\","
      "\"inputs\":\"very_satisfied=0; fairly_satisfied=0; average=0; unsatisfied=0\","
      "\"applied_en\":\"no rating received → 0\",\"applied_zh\":\"未收到企业评价 → 0分\","
      "\"points\":0.00,\"max_points\":10.00},"
      "{\"id\":\"S3\",\"title_en\":\"Defence\",\"title_zh\":\"业务答辩\",\"inputs\":\"70.50\","
      "\"applied_en\":\"mean of 1 panel score(s) = 70.50 ÷ 1 = 70.50; band 70 < s ≤ 80 → 20\","
      "\"applied_zh\":\"1位评委平均分 = 70.50 ÷ 1 = 70.50分；适用 70分<s≤80分 → 20分\","
      "\"points\":20.00,\"max_points\":30.00}],"
      "\"s1\":15.55,\"s2\":10.00,\"s3\":20.00,\"total\":45.55,\"verified_complaints\":0}]}\n";
  EXPECT_EQ(ScoreSheetsJson(Sheets({Sample()})), expected);
}

TEST(ExportTest, SheetCsvHasHeaderItemsAndSubtotals) {
  std::string csv = ScoreSheetsCsv(Sheets({Sample()}));
  EXPECT_THAT(csv, StartsWith("credit_code,name,item,title_en,title_zh,inputs,applied_en,"
                              "applied_zh,points,max_points,exclusion\r\n"));
  EXPECT_THAT(csv, HasSubstr("CODE-1,温州甲咨询,S1.2,Project pass rate,服务项目合格率,"
                             "approved=7; declared=10,"
                             "rate = 7 approved ÷ 10 declared = 70.00%; band 60% < rate ≤ 70% → 4,"
                             "合格率 = 合格7项 ÷ 申报10项 = 70.00%；适用 60%<合格率≤70% → 4分,"
                             "4.00,10.00,\r\n"));
  EXPECT_THAT(csv, HasSubstr(",S1,Business performance,业务绩效,,S1.1 + S1.2 + S1.3 (unrounded),"
                             "S1.1 + S1.2 + S1.3（未四舍五入）,15.55,50.00,\r\n"));
  EXPECT_THAT(csv, HasSubstr(",TOTAL,Total,合计,,S1 + S2 + S3 (unrounded),"
                             "S1 + S2 + S3（未四舍五入）,45.55,100.00,\r\n"));
  // header + 6 items + S1, S2, TOTAL
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 10);
}

TEST(ExportTest, EscapingInCsvAndJson) {
  InstitutionInput in = Sample();
  in.name = "A \"q\" \\ b,c\n\x01";
  in.exclusion = Exclusion::kCancelled;
  std::vector<ScoreSheet> sheets = Sheets({in});
  EXPECT_THAT(ScoreSheetsCsv(sheets), HasSubstr("CODE-1,\"A \"\"q\"\" \\ b,c\n\x01\",S1.1,"));
  EXPECT_THAT(ScoreSheetsCsv(sheets), HasSubstr(",CANCELLED R14.4\r\n"));
  std::string json = ScoreSheetsJson(sheets);
  EXPECT_THAT(json, HasSubstr("\"name\":\"A \\\"q\\\" \\\\ b,c\\n\\u0001\""));
  EXPECT_THAT(json, HasSubstr("\"exclusion\":{\"reason\":\"CANCELLED\",\"rule\":\"R14.4\","));
}

TEST(ExportTest, RankingCsvAndJsonExactly) {
  InstitutionInput a;
  a.credit_code = "A";
  a.name = "Alpha";
  a.approved_diagnosis = 5;  // total 5
  InstitutionInput b = a;
  b.credit_code = "B";
  b.name = "Beta, Ltd";
  b.verified_complaints = 1;  // same scores, one more complaint → second
  InstitutionInput c = a;
  c.credit_code = "C";
  c.name = "丙公司";
  c.exclusion = Exclusion::kBarred;
  absl::StatusOr<Ranking> ranking = RankInstitutions(Sheets({c, b, a}), TestRulesV1());
  ASSERT_TRUE(ranking.ok()) << ranking.status();
  EXPECT_EQ(RankingCsv(*ranking),
            "rank,credit_code,name,total,s1,s3,s2,verified_complaints,excellent,decided_by\r\n"
            "1,A,Alpha,5.00,5.00,0.00,0.00,0,true,FIRST\r\n"
            "2,B,\"Beta, Ltd\",5.00,5.00,0.00,0.00,1,true,COMPLAINTS\r\n"
            "NOT_RANKED,C,丙公司,,,,,,false,BARRED R14.5\r\n");
  EXPECT_EQ(RankingJson(*ranking),
            "{\"ranked\":["
            "{\"rank\":1,\"credit_code\":\"A\",\"name\":\"Alpha\",\"total\":5.00,\"s1\":5.00,"
            "\"s3\":0.00,\"s2\":0.00,\"verified_complaints\":0,\"excellent\":true,"
            "\"decided_by\":\"FIRST\"},"
            "{\"rank\":2,\"credit_code\":\"B\",\"name\":\"Beta, Ltd\",\"total\":5.00,\"s1\":5.00,"
            "\"s3\":0.00,\"s2\":0.00,\"verified_complaints\":1,\"excellent\":true,"
            "\"decided_by\":\"COMPLAINTS\"}],"
            "\"not_ranked\":[{\"credit_code\":\"C\",\"name\":\"丙公司\",\"reason\":\"BARRED\","
            "\"rule\":\"R14.5\",\"reason_en\":\"barred after verified serious complaints\","
            "\"reason_zh\":\"因经核实的严重投诉被禁入\"}]}\n");
}

TEST(ExportTest, RecomputingGivesByteIdenticalOutput) {
  std::vector<InstitutionInput> inputs;
  for (int i = 0; i < 50; ++i) {
    InstitutionInput in = Sample();
    in.credit_code = "CODE-" + std::to_string(i);
    in.approved_solution_design = i % 17;
    in.declared_projects = 7 + i % 13;
    in.approved_projects = i % 8;
    in.tests = {{static_cast<int64_t>(i) * 97 % 10001, 10000}, {3333, 12000}};
    in.content_ratings = {i % 3, i % 4, i % 5, i % 2};
    in.result_ratings = {i % 2, i % 5, 1, 0};
    in.defence_scores_hundredths = {5999 + i * 77 % 4000, 7050, 9001};
    in.verified_complaints = i % 3;
    if (i % 19 == 0) in.exclusion = Exclusion::kBarred;
    inputs.push_back(in);
  }
  std::vector<ScoreSheet> first = Sheets(inputs);
  std::vector<ScoreSheet> second = Sheets(inputs);
  EXPECT_EQ(ScoreSheetsCsv(first), ScoreSheetsCsv(second));
  EXPECT_EQ(ScoreSheetsJson(first), ScoreSheetsJson(second));
  absl::StatusOr<Ranking> r1 = RankInstitutions(first, TestRulesV1());
  absl::StatusOr<Ranking> r2 = RankInstitutions(second, TestRulesV1());
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(RankingCsv(*r1), RankingCsv(*r2));
  EXPECT_EQ(RankingJson(*r1), RankingJson(*r2));
  EXPECT_FALSE(ScoreSheetsCsv(first).empty());
  // Every score in the JSON has two decimals: no "points":8.5 or "total":45 forms.
  std::string json = ScoreSheetsJson(first);
  for (std::size_t at = json.find("\"points\":"); at != std::string::npos;
       at = json.find("\"points\":", at + 1)) {
    std::size_t end = json.find_first_of(",}", at);
    std::string number = json.substr(at + 9, end - at - 9);
    ASSERT_GE(number.size(), 4u) << number;
    EXPECT_EQ(number[number.size() - 3], '.') << number;
  }
}

}  // namespace
}  // namespace zhigai::evaluation
