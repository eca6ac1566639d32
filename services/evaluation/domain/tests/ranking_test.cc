#include "services/evaluation/domain/ranking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

Rational F(int64_t num, int64_t den) { return *Rational::Fraction(num, den); }

// A sheet with only the subtotals set; total = s1 + s2 + s3 as ComputeScoreSheet makes it.
ScoreSheet Sheet(std::string code, Rational s1, Rational s2, Rational s3, int64_t complaints = 0,
                 Exclusion exclusion = Exclusion::kNone) {
  ScoreSheet s;
  s.credit_code = code;
  s.name = "name-" + code;
  s.s1 = s1;
  s.s2 = s2;
  s.s3 = s3;
  s.total = *Sum(*Sum(s1, s2), s3);
  s.verified_complaints = complaints;
  s.exclusion = exclusion;
  return s;
}

Rational I(int64_t v) { return Rational::Integer(v); }

Ranking Rank(const std::vector<ScoreSheet>& sheets) {
  absl::StatusOr<Ranking> r = RankInstitutions(sheets, TestRulesV1());
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Ranking{};
}

TEST(RankingTest, CompetitionRanking1224) {
  Ranking r = Rank({Sheet("D", I(10), I(0), I(0)), Sheet("B", I(20), I(0), I(0)),
                    Sheet("A", I(30), I(0), I(0)), Sheet("C", I(20), I(0), I(0))});
  ASSERT_EQ(r.ranked.size(), 4u);
  EXPECT_EQ(r.ranked[0].credit_code, "A");
  EXPECT_EQ(r.ranked[0].rank, 1);
  EXPECT_EQ(r.ranked[1].credit_code, "B");  // B and C share 2, listed by credit code
  EXPECT_EQ(r.ranked[1].rank, 2);
  EXPECT_EQ(r.ranked[2].credit_code, "C");
  EXPECT_EQ(r.ranked[2].rank, 2);
  EXPECT_EQ(r.ranked[2].decided_by, DecidedBy::kSharedRank);
  EXPECT_EQ(r.ranked[3].credit_code, "D");
  EXPECT_EQ(r.ranked[3].rank, 4);
  EXPECT_EQ(r.ranked[3].decided_by, DecidedBy::kTotal);
}

TEST(RankingTest, TieBreakLevelsInOrder) {
  // All totals 60.
  ScoreSheet by_s1_high = Sheet("P", I(30), I(10), I(20));  // S1 30
  ScoreSheet by_s1_low = Sheet("Q", I(25), I(10), I(25));   // S1 25, S3 25
  ScoreSheet by_s3_low = Sheet("R", I(25), I(15), I(20));   // S1 25, S3 20
  ScoreSheet more_complaints = Sheet("S", I(25), I(15), I(20), 2);
  Ranking r = Rank({more_complaints, by_s3_low, by_s1_low, by_s1_high});
  ASSERT_EQ(r.ranked.size(), 4u);
  EXPECT_EQ(r.ranked[0].credit_code, "P");
  EXPECT_EQ(r.ranked[1].credit_code, "Q");
  EXPECT_EQ(r.ranked[1].decided_by, DecidedBy::kS1);
  EXPECT_EQ(r.ranked[2].credit_code, "R");
  EXPECT_EQ(r.ranked[2].decided_by, DecidedBy::kS3);
  EXPECT_EQ(r.ranked[3].credit_code, "S");
  EXPECT_EQ(r.ranked[3].decided_by, DecidedBy::kComplaints);
  EXPECT_EQ(r.ranked[3].rank, 4);
}

// Issue 26: the order of the tie-breakers is the version's. A fictitious revision that puts
// complaints first ranks the same four sheets differently: S (2 complaints) falls to last
// place on the first criterion, and the S3 level decides between Q and P.
TEST(RankingTest, TheVersionsTieBreakOrderDecides) {
  ScoreRules revised = TestRulesV1();
  revised.tie_break = {TieBreaker::kComplaints, TieBreaker::kS3, TieBreaker::kS1, TieBreaker::kS2};
  std::vector<ScoreSheet> sheets = {
      Sheet("P", I(30), I(10), I(20)), Sheet("Q", I(25), I(10), I(25)),
      Sheet("R", I(25), I(15), I(20)), Sheet("S", I(25), I(15), I(20), 2)};
  absl::StatusOr<Ranking> r = RankInstitutions(sheets, revised);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->ranked.size(), 4u);
  EXPECT_EQ(r->ranked[0].credit_code, "Q");  // S3 25
  EXPECT_EQ(r->ranked[1].credit_code, "P");  // S3 20, S1 30
  EXPECT_EQ(r->ranked[1].decided_by, DecidedBy::kS3);
  EXPECT_EQ(r->ranked[2].credit_code, "R");
  EXPECT_EQ(r->ranked[2].decided_by, DecidedBy::kS1);
  EXPECT_EQ(r->ranked[3].credit_code, "S");
  EXPECT_EQ(r->ranked[3].decided_by, DecidedBy::kComplaints);
  // Version 1 on the same sheets: P, Q, R, S (TieBreakLevelsInOrder).
  EXPECT_EQ(Rank(sheets).ranked[0].credit_code, "P");
}

TEST(RankingTest, S2DecidesWhenThePublishedTotalS1AndS3AreEqual) {
  // RULES.md S4 (2026-12): the published two-decimal figures are compared, so S2 can decide:
  // A 10.004 + 10.004 = 20.008 and B 10.001 + 10.006 = 20.007 are both shown 20.01 with S1
  // 10.00, S3 0.00; B's S2 shows 10.01 against A's 10.00.
  ScoreSheet a = Sheet("A", F(10004, 1000), F(10004, 1000), I(0));
  ScoreSheet b = Sheet("B", F(10001, 1000), F(10006, 1000), I(0));
  Ranking r = Rank({a, b});
  ASSERT_EQ(r.ranked.size(), 2u);
  EXPECT_EQ(r.ranked[0].credit_code, "B");
  EXPECT_EQ(r.ranked[1].credit_code, "A");
  EXPECT_EQ(r.ranked[1].decided_by, DecidedBy::kS2);
  EXPECT_EQ(r.ranked[1].rank, 2);
}

TEST(RankingTest, ThePublishedFiguresDecideNotTheExactOnes) {
  // 200/3 = 66.666... and 66.67 are both published as 66.67: tied on total, and on S1 (the
  // same figures), S3 and S2, so they share the rank (the old exact comparison split them).
  Ranking shared = Rank({Sheet("A", F(200, 3), I(0), I(0)), Sheet("B", F(6667, 100), I(0), I(0))});
  ASSERT_EQ(shared.ranked.size(), 2u);
  EXPECT_EQ(shared.ranked[0].credit_code, "A");  // shared: listed by credit code
  EXPECT_EQ(shared.ranked[1].rank, 1);
  EXPECT_EQ(shared.ranked[1].decided_by, DecidedBy::kSharedRank);
  // Totals both shown 66.67 (40 + 80/3 and 41 + 25.67): the published S1 decides, 41 > 40.
  Ranking by_s1 = Rank({Sheet("A", I(40), F(80, 3), I(0)), Sheet("B", I(41), F(2567, 100), I(0))});
  EXPECT_EQ(by_s1.ranked[0].credit_code, "B");
  EXPECT_EQ(by_s1.ranked[1].decided_by, DecidedBy::kS1);
  EXPECT_EQ(by_s1.ranked[1].rank, 2);
  // Half away from zero: 66.665 is shown 66.67 (tied with 66.67), 66.6649 is 66.66 (below).
  Ranking half = Rank({Sheet("A", F(66665, 1000), I(0), I(0)), Sheet("B", F(6667, 100), I(0), I(0)),
                       Sheet("C", F(666649, 10000), I(0), I(0))});
  EXPECT_EQ(half.ranked[1].rank, 1);
  EXPECT_EQ(half.ranked[2].credit_code, "C");
  EXPECT_EQ(half.ranked[2].rank, 3);
  EXPECT_EQ(half.ranked[2].decided_by, DecidedBy::kTotal);
  // 25/3 + 26/3 = 17 exactly ties an integer 17.
  Ranking tie =
      Rank({Sheet("X", I(0), *Sum(F(25, 3), F(26, 3)), I(0)), Sheet("Y", I(0), I(17), I(0))});
  EXPECT_EQ(tie.ranked[1].rank, 1);
}

TEST(RankingTest, TopTenExcellentAndTieStraddlingTenthNamesAll) {
  std::vector<ScoreSheet> sheets;
  // Places 1–8 with totals 100, 99, …, 93.
  for (int i = 0; i < 8; ++i)
    sheets.push_back(Sheet("T" + std::to_string(i), I(100 - i), I(0), I(0)));
  // Three tie at places 9, 10, 11 with 50: all rank 9, all excellent.
  for (const char* code : {"U1", "U2", "U3"}) sheets.push_back(Sheet(code, I(50), I(0), I(0)));
  sheets.push_back(Sheet("V", I(40), I(0), I(0)));  // place 12
  Ranking r = Rank(sheets);
  ASSERT_EQ(r.ranked.size(), 12u);
  for (int i = 8; i < 11; ++i) {
    EXPECT_EQ(r.ranked[i].rank, 9);
    EXPECT_TRUE(r.ranked[i].excellent) << r.ranked[i].credit_code;
  }
  EXPECT_EQ(r.ranked[11].rank, 12);
  EXPECT_FALSE(r.ranked[11].excellent);
  EXPECT_EQ(std::count_if(r.ranked.begin(), r.ranked.end(),
                          [](const RankedInstitution& x) { return x.excellent; }),
            11);
}

TEST(RankingTest, ExactlyTenWhenNoTie) {
  std::vector<ScoreSheet> sheets;
  for (int i = 0; i < 12; ++i)
    sheets.push_back(Sheet("T" + std::to_string(100 + i), I(100 - i), I(0), I(0)));
  Ranking r = Rank(sheets);
  EXPECT_TRUE(r.ranked[9].excellent);
  EXPECT_EQ(r.ranked[9].rank, 10);
  EXPECT_FALSE(r.ranked[10].excellent);
  EXPECT_EQ(r.ranked[10].rank, 11);
}

TEST(RankingTest, ExcludedAreListedNotRanked) {
  Ranking r =
      Rank({Sheet("Z", I(50), I(20), I(30), 0, Exclusion::kBarred), Sheet("A", I(1), I(0), I(0)),
            Sheet("M", I(40), I(0), I(0), 0, Exclusion::kCancelled)});
  ASSERT_EQ(r.ranked.size(), 1u);
  EXPECT_EQ(r.ranked[0].credit_code, "A");
  EXPECT_EQ(r.ranked[0].rank, 1);
  ASSERT_EQ(r.not_ranked.size(), 2u);
  EXPECT_EQ(r.not_ranked[0].credit_code, "M");  // by credit code
  EXPECT_EQ(r.not_ranked[0].exclusion, Exclusion::kCancelled);
  EXPECT_EQ(r.not_ranked[1].credit_code, "Z");
  EXPECT_EQ(r.not_ranked[1].exclusion, Exclusion::kBarred);
}

TEST(RankingTest, InputOrderDoesNotMatter) {
  std::vector<ScoreSheet> sheets;
  for (int i = 0; i < 40; ++i) {
    sheets.push_back(Sheet("C" + std::to_string(1000 + i), I(i % 7), F(i % 5, 3), I(i % 3 * 15),
                           i % 2, i % 11 == 0 ? Exclusion::kBarred : Exclusion::kNone));
  }
  Ranking first = Rank(sheets);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(sheets.begin(), sheets.end(), rng);
    Ranking again = Rank(sheets);
    ASSERT_EQ(again.ranked.size(), first.ranked.size());
    for (std::size_t i = 0; i < first.ranked.size(); ++i) {
      EXPECT_EQ(again.ranked[i].credit_code, first.ranked[i].credit_code);
      EXPECT_EQ(again.ranked[i].rank, first.ranked[i].rank);
    }
    ASSERT_EQ(again.not_ranked.size(), first.not_ranked.size());
  }
}

TEST(RankingTest, DuplicateCodeRefusedAndEmptyIsEmpty) {
  EXPECT_EQ(
      RankInstitutions({Sheet("A", I(1), I(0), I(0)), Sheet("A", I(2), I(0), I(0))}, TestRulesV1())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  Ranking empty = Rank({});
  EXPECT_TRUE(empty.ranked.empty());
  EXPECT_TRUE(empty.not_ranked.empty());
}

}  // namespace
}  // namespace zhigai::evaluation
