// Golden cases computed by hand (arithmetic in the comments), never by the code under test.
// Part 1: 34 institutions scored item by item, covering every band boundary of S1.2 and S3,
// the S1.1 cap, and the "none → 0" cases. Part 2: 16 institutions ranked, covering every
// reachable tie-break level, a tie straddling 10th place and excluded institutions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/evaluation/domain/ranking.h"
#include "services/evaluation/domain/score_sheet.h"
#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

struct Frac {
  int64_t num;
  int64_t den = 1;
};

struct Golden {
  std::string code;
  InstitutionInput input;
  // Expected S1.1, S1.2, S1.3, S2.1, S2.2, S3, then total and its display.
  Frac items[kItemCount];
  Frac total;
  std::string shown_total;
};

Rational R(Frac f) { return *Rational::Fraction(f.num, f.den); }

// S1.2 group: 3 approved diagnosis (S1.1 = 3 × 1 = 3), no test, no rating, no defence, so
// total = 3 + the S1.2 band.
Golden Rate(std::string code, int64_t approved, int64_t declared, int64_t band) {
  Golden g;
  g.code = code;
  g.input.credit_code = code;
  g.input.name = code;
  g.input.approved_diagnosis = 3;
  g.input.approved_projects = approved;
  g.input.declared_projects = declared;
  g.items[kS1_1] = {3};
  g.items[kS1_2] = {band};
  for (std::size_t i : {kS1_3, kS2_1, kS2_2, kS3}) g.items[i] = {0};
  g.total = {3 + band};
  return g;
}

// S3 group: one test of 7 of 10 marks (70.00/10.00 hundredths: 7 ÷ 10 × 10 = 7 points), no
// project, no rating, so total = 7 + the S3 band.
Golden Defence(std::string code, std::vector<int64_t> scores, int64_t band) {
  Golden g;
  g.code = code;
  g.input.credit_code = code;
  g.input.name = code;
  g.input.tests = {{700, 1000}};
  g.input.defence_scores_hundredths = std::move(scores);
  for (std::size_t i : {kS1_1, kS1_2, kS2_1, kS2_2}) g.items[i] = {0};
  g.items[kS1_3] = {7};
  g.items[kS3] = {band};
  g.total = {7 + band};
  return g;
}

std::vector<Golden> Cases() {
  std::vector<Golden> c;
  // ---- S1.2 pass rate: compare approved×100 with declared×N ----
  c.push_back(Rate("G01", 49, 100, 0));  // 4900 < 5000 (50%) → 0; total 3 + 0 = 3
  c.push_back(Rate("G02", 50, 100, 2));  // 5000 ≥ 5000 and ≤ 6000 → 2; total 5
  c.push_back(Rate("G03", 60, 100, 2));  // 6000 ≤ 6000 (60% included) → 2; total 5
  c.push_back(Rate("G04", 121, 200, 4));  // 12100 > 200×60 = 12000, ≤ 14000 → 60.5% → 4; total 7
  c.push_back(Rate("G05", 61, 100, 4));    // 6100 > 6000, ≤ 7000 → 4; total 7
  c.push_back(Rate("G06", 70, 100, 4));    // 7000 ≤ 7000 → 4; total 7
  c.push_back(Rate("G07", 71, 100, 6));    // 7100 > 7000, ≤ 8000 → 6; total 9
  c.push_back(Rate("G08", 80, 100, 6));    // 8000 ≤ 8000 → 6; total 9
  c.push_back(Rate("G09", 81, 100, 8));    // 8100 > 8000, ≤ 9000 → 8; total 11
  c.push_back(Rate("G10", 90, 100, 8));    // 9000 ≤ 9000 → 8; total 11
  c.push_back(Rate("G11", 91, 100, 10));   // 9100 > 9000 → 10; total 13
  c.push_back(Rate("G12", 181, 200, 10));  // 18100 > 200×90 = 18000 → 90.5% → 10; total 13
  c.push_back(Rate("G13", 2, 3, 4));  // 200 > 3×60 = 180, ≤ 3×70 = 210 → 66.67% → 4; total 7
  c.push_back(Rate("G14", 7, 10, 4));     // 700 ≤ 10×70 = 700 → 70% exactly → 4; total 7
  c.push_back(Rate("G15", 141, 200, 6));  // 14100 > 14000, ≤ 16000 → 70.5% → 6; total 9
  c.push_back(Rate("G16", 0, 0, 0));      // nothing declared → 0; total 3

  // ---- S3 defence: compare the sum of hundredths with members×100×N ----
  c.push_back(Defence("G17", {5999}, 0));   // 5999 < 6000 → 59.99 → 0; total 7
  c.push_back(Defence("G18", {6000}, 15));  // 6000 ≥ 6000, ≤ 7000 → 15; total 22
  c.push_back(Defence("G19", {7000}, 15));  // 7000 ≤ 7000 → 70 → 15; total 22
  c.push_back(Defence("G20", {7050}, 20));  // 7050 > 7000, ≤ 8000 → 70.5 → 20; total 27
  c.push_back(Defence("G21", {7100}, 20));  // 71 → 20; total 27
  c.push_back(Defence("G22", {8000}, 20));  // 8000 ≤ 8000 → 80 → 20; total 27
  c.push_back(Defence("G23", {8100}, 25));  // 81 → 25; total 32
  c.push_back(Defence("G24", {9000}, 25));  // 9000 ≤ 9000 → 90 → 25; total 32
  c.push_back(Defence("G25", {9001}, 30));  // 9001 > 9000 → 90.01 → 30; total 37
  c.push_back(Defence("G26", {9100}, 30));  // 91 → 30; total 37
  // 9000 + 9001 = 18001 > 2×100×90 = 18000 → mean 90.005 → 30; total 37
  c.push_back(Defence("G27", {9000, 9001}, 30));
  // 7000 + 7001 + 7000 = 21001 > 3×100×70 = 21000 → mean 70.0033… → 20; total 27
  c.push_back(Defence("G28", {7000, 7001, 7000}, 20));

  // ---- S1.1 cap and the other items ----
  {
    // 20 solution designs: 20 × 2 = 40 → capped 30. S1.2: 20/25: 2000 ≤ 25×80 = 2000 → 6.
    // S1.3: 85.50/100 × 10 = 8.55 = 171/20. S2.1: one very satisfied 10 ÷ 1 = 10. S2.2: one
    // fairly satisfied 8 ÷ 1 = 8. S3: 88 + 92 = 180 = 2×90 → mean 90, ≤ 90 → 25.
    // Total = 30 + 6 + 171/20 + 10 + 8 + 25 = 79 + 171/20 = (1580 + 171)/20 = 1751/20 = 87.55.
    Golden g;
    g.code = "G29";
    g.input.approved_solution_design = 20;
    g.input.declared_projects = 25;
    g.input.approved_projects = 20;
    g.input.tests = {{8550, 10000}};
    g.input.content_ratings = {1, 0, 0, 0};
    g.input.result_ratings = {0, 1, 0, 0};
    g.input.defence_scores_hundredths = {8800, 9200};
    g.items[kS1_1] = {30};
    g.items[kS1_2] = {6};
    g.items[kS1_3] = {171, 20};
    g.items[kS2_1] = {10};
    g.items[kS2_2] = {8};
    g.items[kS3] = {25};
    g.total = {1751, 20};
    g.shown_total = "87.55";
    c.push_back(g);
  }
  {
    // 29 diagnosis + 1 solution design = 29 + 2 = 31 → 30. S1.2: 30/30 = 100% → 10.
    // S1.3: 45/50 × 10 = 9 and 60/120 × 10 = 5 → (9 + 5) ÷ 2 = 7. S2.1: four unsatisfied
    // 0 ÷ 4 = 0. S2.2: none → 0. S3: 60.00 + 59.99 = 119.99 < 2×60 = 120 → 59.995 → 0.
    // Total = 30 + 10 + 7 + 0 + 0 + 0 = 47.
    Golden g;
    g.code = "G30";
    g.input.approved_diagnosis = 29;
    g.input.approved_solution_design = 1;
    g.input.declared_projects = 30;
    g.input.approved_projects = 30;
    g.input.tests = {{4500, 5000}, {6000, 12000}};
    g.input.content_ratings = {0, 0, 0, 4};
    g.input.defence_scores_hundredths = {6000, 5999};
    g.items[kS1_1] = {30};
    g.items[kS1_2] = {10};
    g.items[kS1_3] = {7};
    g.items[kS2_1] = {0};
    g.items[kS2_2] = {0};
    g.items[kS3] = {0};
    g.total = {47};
    g.shown_total = "47.00";
    c.push_back(g);
  }
  {
    // 10 diagnosis + 5 solution design = 10 + 10 = 20 (under the cap). S1.2: 15/16: 1500 >
    // 16×90 = 1440 → 93.75% → 10. S1.3: 100/300 × 10 = 10/3. S2.1 and S2.2: two very
    // satisfied and one average = (20 + 5) ÷ 3 = 25/3 each. S3: 100 → 30.
    // Total = 20 + 10 + 10/3 + 25/3 + 25/3 + 30 = 60 + 60/3 = 80 exactly, although the shown
    // items 3.33 + 8.33 + 8.33 add up to 19.99.
    Golden g;
    g.code = "G31";
    g.input.approved_diagnosis = 10;
    g.input.approved_solution_design = 5;
    g.input.declared_projects = 16;
    g.input.approved_projects = 15;
    g.input.tests = {{10000, 30000}};
    g.input.content_ratings = {2, 0, 1, 0};
    g.input.result_ratings = {2, 0, 1, 0};
    g.input.defence_scores_hundredths = {10000};
    g.items[kS1_1] = {20};
    g.items[kS1_2] = {10};
    g.items[kS1_3] = {10, 3};
    g.items[kS2_1] = {25, 3};
    g.items[kS2_2] = {25, 3};
    g.items[kS3] = {30};
    g.total = {80};
    g.shown_total = "80.00";
    c.push_back(g);
  }
  {
    // 2 diagnosis + 3 solution design = 2 + 6 = 8. S1.2: 5/10 = 50% → 2. S1.3: 85/100 × 10 =
    // 8.5, 42/50 × 10 = 8.4 → 16.9 ÷ 2 = 8.45 = 169/20. S2.1: (3×10 + 1×8 + 0×5 + 1×0) ÷ 5 =
    // 38/5 = 7.6. S2.2: two average (5 + 5) ÷ 2 = 5. S3: 70.50 + 71.50 + 69.50 = 211.50 ÷ 3 =
    // 70.5 → 20. Total = 8 + 2 + 169/20 + 38/5 + 5 + 20 = 35 + 169/20 + 152/20 = 35 + 321/20
    // = (700 + 321)/20 = 1021/20 = 51.05.
    Golden g;
    g.code = "G32";
    g.input.approved_diagnosis = 2;
    g.input.approved_solution_design = 3;
    g.input.declared_projects = 10;
    g.input.approved_projects = 5;
    g.input.tests = {{8500, 10000}, {4200, 5000}};
    g.input.content_ratings = {3, 1, 0, 1};
    g.input.result_ratings = {0, 0, 2, 0};
    g.input.defence_scores_hundredths = {7050, 7150, 6950};
    g.items[kS1_1] = {8};
    g.items[kS1_2] = {2};
    g.items[kS1_3] = {169, 20};
    g.items[kS2_1] = {38, 5};
    g.items[kS2_2] = {5};
    g.items[kS3] = {20};
    g.total = {1021, 20};
    g.shown_total = "51.05";
    c.push_back(g);
  }
  {
    // Nothing at all: no project declared, no test, no rating, no defence → every item 0.
    Golden g;
    g.code = "G33";
    for (Frac& f : g.items) f = {0};
    g.total = {0};
    g.shown_total = "0.00";
    c.push_back(g);
  }
  {
    // Full marks on one test, 0 on another (an unexcused absence, R8.1): (10 + 0) ÷ 2 = 5.
    // S2.1: one fairly satisfied and two unsatisfied (8 + 0 + 0) ÷ 3 = 8/3 = 2.666…;
    // total = 5 + 8/3 = 23/3 = 7.666… → shown 7.67.
    Golden g;
    g.code = "G34";
    g.input.tests = {{10000, 10000}, {0, 10000}};
    g.input.content_ratings = {0, 1, 0, 2};
    for (Frac& f : g.items) f = {0};
    g.items[kS1_3] = {5};
    g.items[kS2_1] = {8, 3};
    g.total = {23, 3};
    g.shown_total = "7.67";
    c.push_back(g);
  }
  for (Golden& g : c) {
    g.input.credit_code = g.code;
    g.input.name = g.code;
    if (g.shown_total.empty()) g.shown_total = absl::StrCat(g.total.num, ".00");  // integers
  }
  return c;
}

TEST(GoldenTest, ScoreSheetsItemByItem) {
  std::vector<Golden> cases = Cases();
  ASSERT_GE(cases.size(), 30u);
  for (const Golden& g : cases) {
    SCOPED_TRACE(g.code);
    absl::StatusOr<ScoreSheet> sheet = ComputeScoreSheet(g.input, TestRulesV1());
    ASSERT_TRUE(sheet.ok()) << sheet.status();
    for (std::size_t i = 0; i < kItemCount; ++i) {
      EXPECT_EQ(sheet->items[i].points, R(g.items[i]))
          << sheet->items[i].id << ": " << sheet->items[i].applied_english;
    }
    EXPECT_EQ(sheet->total, R(g.total));
    EXPECT_EQ(sheet->total.ToFixed2(), g.shown_total);
  }
}

// ---- Part 2: ranking ----
// Every institution below: S1 = S1.1 = number of approved diagnosis projects (nothing declared,
// no test, so S1.2 = S1.3 = 0); S2 from ratings: "S2=20" is one very satisfied rating for
// each item (10 + 10), "S2=15" is one very satisfied content rating and one average results
// rating (10 + 5); S3 from one defence score: 95 → 30, 85 → 25, 75 → 20, 65 → 15.
InstitutionInput Ranked(std::string code, int64_t s1, int64_t s2, int64_t defence,
                        int64_t complaints = 0, Exclusion exclusion = Exclusion::kNone) {
  InstitutionInput in;
  in.credit_code = code;
  in.name = "机构" + code;
  in.approved_diagnosis = s1;
  in.content_ratings = {1, 0, 0, 0};
  in.result_ratings = s2 == 20 ? RatingCounts{1, 0, 0, 0} : RatingCounts{0, 0, 1, 0};
  in.defence_scores_hundredths = {defence * 100};
  in.verified_complaints = complaints;
  in.exclusion = exclusion;
  return in;
}

TEST(GoldenTest, RankingWithEveryTieBreakAndATieStraddlingTenth) {
  std::vector<InstitutionInput> inputs = {
      // code, S1, S2, defence → S3; total = S1 + S2 + S3
      Ranked("R13", 10, 15, 75, 3),                        // 10 + 15 + 20 = 45, 3 complaints
      Ranked("R01", 30, 20, 95),                           // 30 + 20 + 30 = 80
      Ranked("R04", 20, 20, 85),                           // 20 + 20 + 25 = 65
      Ranked("R02", 25, 20, 85),                           // 25 + 20 + 25 = 70
      Ranked("R03", 20, 20, 95),                           // 20 + 20 + 30 = 70
      Ranked("R05", 20, 15, 95),                           // 20 + 15 + 30 = 65
      Ranked("R06", 20, 15, 85),                           // 20 + 15 + 25 = 60, 0 complaints
      Ranked("R07", 20, 15, 85, 2),                        // 20 + 15 + 25 = 60, 2 complaints
      Ranked("R08", 20, 15, 75),                           // 20 + 15 + 20 = 55
      Ranked("R09", 15, 15, 75),                           // 15 + 15 + 20 = 50
      Ranked("R12", 10, 15, 75, 1),                        // 10 + 15 + 20 = 45, 1 complaint
      Ranked("R10", 10, 15, 75, 1),                        // same as R12
      Ranked("R11", 10, 15, 75, 1),                        // same as R12
      Ranked("R14", 0, 15, 65),                            // 0 + 15 + 15 = 30
      Ranked("X1", 30, 20, 95, 0, Exclusion::kBarred),     // 80 but barred (R14.5)
      Ranked("X2", 15, 15, 75, 0, Exclusion::kCancelled),  // 50 but cancelled (R14.4)
  };
  absl::StatusOr<std::vector<ScoreSheet>> sheets = ComputeScoreSheets(inputs, TestRulesV1());
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  absl::StatusOr<Ranking> ranking = RankInstitutions(*sheets, TestRulesV1());
  ASSERT_TRUE(ranking.ok()) << ranking.status();

  struct Expected {
    const char* code;
    int64_t rank;
    bool excellent;
    DecidedBy decided_by;
    int64_t total;
  };
  // By hand: 80 first. R02 and R03 both 70: S1 25 > 20 → R02 2nd, R03 3rd (S1). R05 and R04
  // both 65 with S1 20: S3 30 > 25 → R05 4th, R04 5th (S3). R06 and R07 both 60 with equal
  // S1 20, S3 25 and so S2 15: complaints 0 < 2 → R06 6th, R07 7th (complaints). R08 55 8th,
  // R09 50 9th. R10, R11, R12: 45, S1 10, S3 20, S2 15, 1 complaint each → all equal, they
  // share rank 10 (places 10–12) and are all excellent: the tie straddles 10th place; listed
  // by credit code. R13: 45 but 3 complaints → place 13, rank 13, not excellent. R14 30 → 14.
  const Expected expected[] = {
      {"R01", 1, true, DecidedBy::kFirst, 80},        {"R02", 2, true, DecidedBy::kTotal, 70},
      {"R03", 3, true, DecidedBy::kS1, 70},           {"R05", 4, true, DecidedBy::kTotal, 65},
      {"R04", 5, true, DecidedBy::kS3, 65},           {"R06", 6, true, DecidedBy::kTotal, 60},
      {"R07", 7, true, DecidedBy::kComplaints, 60},   {"R08", 8, true, DecidedBy::kTotal, 55},
      {"R09", 9, true, DecidedBy::kTotal, 50},        {"R10", 10, true, DecidedBy::kTotal, 45},
      {"R11", 10, true, DecidedBy::kSharedRank, 45},  {"R12", 10, true, DecidedBy::kSharedRank, 45},
      {"R13", 13, false, DecidedBy::kComplaints, 45}, {"R14", 14, false, DecidedBy::kTotal, 30},
  };
  ASSERT_EQ(ranking->ranked.size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const RankedInstitution& got = ranking->ranked[i];
    SCOPED_TRACE(expected[i].code);
    EXPECT_EQ(got.credit_code, expected[i].code);
    EXPECT_EQ(got.rank, expected[i].rank);
    EXPECT_EQ(got.excellent, expected[i].excellent);
    EXPECT_EQ(got.decided_by, expected[i].decided_by);
    EXPECT_EQ(got.total, Rational::Integer(expected[i].total));
  }
  ASSERT_EQ(ranking->not_ranked.size(), 2u);
  EXPECT_EQ(ranking->not_ranked[0].credit_code, "X1");
  EXPECT_EQ(ranking->not_ranked[0].exclusion, Exclusion::kBarred);
  EXPECT_EQ(ranking->not_ranked[1].credit_code, "X2");
  EXPECT_EQ(ranking->not_ranked[1].exclusion, Exclusion::kCancelled);
}

}  // namespace
}  // namespace zhigai::evaluation
