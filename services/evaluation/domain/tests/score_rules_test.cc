// The score-sheet rules as data (issue 26): the file in data/ loads as version 1 with exactly
// the measures' figures and band wording; a bad file is refused naming file, line and problem;
// a round's year picks the version in force on 1 January.
#include "services/evaluation/domain/score_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"
#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

constexpr char kHeader[] = "version\tparameter\tvalue\tsource\n";

// A valid version `v` from `from`, with one line replaced or dropped by the caller.
std::string Version(int v, const std::string& from) {
  const std::string p = std::to_string(v) + "\t";
  return p + "effective_from\t" + from + "\t\n" + p + "source\tAttachment 3\t\n" + p +
         "s1_1.diagnosis_points\t1\t\n" + p + "s1_1.solution_design_points\t2\t\n" + p +
         "s1_1.cap\t30\t\n" + p + "s1_2.max\t10\t\n" + p +
         "s1_2.bands\t<50:0 <=60:2 <=70:4 <=80:6 <=90:8 else:10\t\n" + p + "s1_3.max\t10\t\n" + p +
         "s2.max\t10\t\n" + p + "s2.rating_points\t10 8 5 0\t\n" + p + "s3.max\t30\t\n" + p +
         "s3.bands\t<60:0 <=70:15 <=80:20 <=90:25 else:30\t\n" + p + "s4.excellent_places\t10\t\n" +
         p + "s4.tie_break\tS1 S3 S2 COMPLAINTS\t\n";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of a refused file, which names the source and line.
std::string Refusal(const std::string& body) {
  auto parsed = ParseScoreRules(kHeader + body, "rules.tsv");
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(ReasonOf(parsed.status()), "REFERENCE_DATA_INVALID") << parsed.status();
  return std::string(parsed.status().message());
}

TEST(ScoreRules, TheDataFileIsVersionOneWithTheMeasuresFiguresAndWording) {
  const std::vector<ScoreRules>& all = TestRules();
  ASSERT_EQ(all.size(), 1u);
  const ScoreRules& r = all[0];
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.diagnosis_points, 1);
  EXPECT_EQ(r.solution_design_points, 2);
  EXPECT_EQ(r.s1_1_cap, 30);
  EXPECT_EQ(r.s1_2_max + r.s1_3_max + 2 * r.s2_max, 40);
  EXPECT_EQ(r.s3_max, 30);
  EXPECT_EQ(r.excellent_places, 10);
  EXPECT_EQ(r.tie_break, (std::vector<TieBreaker>{TieBreaker::kS1, TieBreaker::kS3, TieBreaker::kS2,
                                                  TieBreaker::kComplaints}));
  EXPECT_EQ(
      r.very_satisfied_points + r.fairly_satisfied_points + r.average_points + r.unsatisfied_points,
      23);
  // The inequalities as the sheets have always printed them (stored sheets replay as before).
  ASSERT_EQ(r.pass_rate.bands.size(), 5u);
  EXPECT_EQ(r.pass_rate.bands[0].band.english, "rate < 50%");
  EXPECT_EQ(r.pass_rate.bands[1].band.english, "50% ≤ rate ≤ 60%");
  EXPECT_EQ(r.pass_rate.bands[2].band.chinese, "60%<合格率≤70%");
  EXPECT_EQ(r.pass_rate.top.english, "rate > 90%");
  EXPECT_EQ(r.pass_rate.top.chinese, "合格率>90%");
  EXPECT_EQ(r.pass_rate.top.points, 10);
  ASSERT_EQ(r.defence.bands.size(), 4u);
  EXPECT_EQ(r.defence.bands[0].band.chinese, "s<60分");
  EXPECT_EQ(r.defence.bands[1].band.english, "60 ≤ s ≤ 70");
  EXPECT_EQ(r.defence.bands[1].band.chinese, "60分≤s≤70分");
  EXPECT_EQ(r.defence.bands[3].band.english, "80 < s ≤ 90");
  EXPECT_EQ(r.defence.top.chinese, "s>90分");
  EXPECT_EQ(r.defence.top.points, 30);
}

TEST(ScoreRules, ABadFileIsRefusedNamingFileLineAndProblem) {
  const std::string v1 = Version(1, "2000-01-01");
  EXPECT_EQ(Refusal(Replace(v1, "s1_1.cap", "s1_1.kap")),
            "rules.tsv:6: unknown parameter \"s1_1.kap\"");
  EXPECT_EQ(Refusal(v1 + "1\ts1_1.cap\t30\t\n"),
            "rules.tsv:16: \"s1_1.cap\" is given twice in version 1");
  EXPECT_EQ(Refusal(Replace(v1, "1\ts4.excellent_places\t10\t\n", "")),
            "rules.tsv:2: version 1 lacks \"s4.excellent_places\"");
  EXPECT_EQ(Refusal(Replace(v1, "<=70:4 <=80:6", "<=80:4 <=70:6")),
            "rules.tsv:8: s1_2.bands: band \"<=70:6\": bounds must increase within 0..100");
  EXPECT_EQ(Refusal(Replace(v1, "<=90:25 else:30", "<=90:25")),
            "rules.tsv:13: s3.bands: the last band must be \"else:<points>\"");
  EXPECT_EQ(Refusal(Replace(v1, "<=90:25 else:30", "<=90:25 else:31")),
            "rules.tsv:13: s3.bands: band \"else:31\": points must be 0..30 and never fall band "
            "to band");
  EXPECT_EQ(Refusal(Replace(v1, "s3.max\t30", "s3.max\t35")),
            "rules.tsv:12: version 1: the maxima add up to 105, not 100 (R11.1)");
  EXPECT_EQ(Refusal(Replace(v1, "10 8 5 0", "12 8 5 0")),
            "rules.tsv:11: a rating cannot give more than s2.max (10)");
  EXPECT_EQ(Refusal(v1 + Version(3, "2030-01-01")),
            "rules.tsv:16: versions are numbered 1, 2, … and listed in order; expected 1 or 2, "
            "not 3");
  EXPECT_EQ(Refusal(v1 + Version(2, "1999-01-01")),
            "rules.tsv:16: effective_from must be later than the previous version's");
  EXPECT_EQ(Refusal(Replace(v1, "S1 S3 S2 COMPLAINTS", "S1 S3 S3 COMPLAINTS")),
            "rules.tsv:15: s4.tie_break: each of S1, S2, S3 and COMPLAINTS once, in the order "
            "they break ties");
  EXPECT_EQ(Refusal(Replace(v1, "S1 S3 S2 COMPLAINTS", "S1 S3 S2")),
            "rules.tsv:15: s4.tie_break: each of S1, S2, S3 and COMPLAINTS once, in the order "
            "they break ties");
  EXPECT_EQ(Refusal(Replace(v1, "2000-01-01", "2000-13-01")),
            "rules.tsv:2: effective_from: a date YYYY-MM-DD");
}

TEST(ScoreRules, TheRoundsYearPicksTheVersionInForceOnTheFirstOfJanuary) {
  auto rules =
      ParseScoreRules(std::string(kHeader) + Version(1, "2000-01-01") +
                          Replace(Version(2, "2060-01-02"), "<60:0 <=70:15", "<60:0 <=70:10"),
                      "rules.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ((*RulesForYear(*rules, 2000))->version, 1);
  EXPECT_EQ((*RulesForYear(*rules, 2060))->version, 1) << "in force from 2 January: not 2060's";
  EXPECT_EQ((*RulesForYear(*rules, 2061))->version, 2);
  EXPECT_EQ(RulesForYear(*rules, 1999).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(RulesForYear(*rules, 1999).status()), "RULES_NOT_IN_FORCE");
  EXPECT_EQ((*RulesVersion(*rules, 2))->defence.bands[1].band.points, 10);
  EXPECT_EQ(ReasonOf(RulesVersion(*rules, 3).status()), "RULES_VERSION_MISSING");
}

}  // namespace
}  // namespace zhigai::evaluation
