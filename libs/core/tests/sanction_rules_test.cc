// The R14.5 figures as data (issue 26): the file in data/ is version 1 with the measures'
// figures, a bad file is refused naming file and line, and the version in force on a day is
// the last one that started on or before it.
#include "libs/core/sanction_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"
#include "libs/core/testing/sanction_rules.h"

namespace zhigai::core {
namespace {

constexpr char kHeader[] = "version\tparameter\tvalue\tsource\n";

std::string Version(int v, const std::string& from, int years = 3) {
  const std::string p = std::to_string(v) + "\t";
  return p + "effective_from\t" + from + "\t\n" + p + "r14_5.bar_years\t" + std::to_string(years) +
         "\t\n" + p + "r14_5.bar_distinct_enterprises\t3\t\n" + p +
         "r14_5.bar_complaints_from_one_enterprise\t3\t\n";
}

std::string Refusal(const std::string& body) {
  auto parsed = ParseSanctionRules(kHeader + body, "sanction-rules.tsv");
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(ReasonOf(parsed.status()), "REFERENCE_DATA_INVALID") << parsed.status();
  return std::string(parsed.status().message());
}

TEST(SanctionRules, TheDataFileIsVersionOneWithTheMeasuresFigures) {
  ASSERT_EQ(TestSanctionRules().size(), 1u);
  const SanctionRules& r = TestSanctionRules().front();
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.effective_from, absl::CivilDay(2000, 1, 1));
  EXPECT_EQ(r.bar_years, 3);
  EXPECT_EQ(r.bar_distinct_enterprises, 3);
  EXPECT_EQ(r.bar_complaints_from_one_enterprise, 3);
}

TEST(SanctionRules, ABadFileIsRefusedNamingFileLineAndProblem) {
  const std::string v1 = Version(1, "2000-01-01");
  EXPECT_EQ(Refusal(v1 + "1\tr14_5.bar_yeras\t3\t\n"),
            "sanction-rules.tsv:6: unknown parameter \"r14_5.bar_yeras\"");
  EXPECT_EQ(Refusal(Version(1, "2000-01-01", 0)),
            "sanction-rules.tsv:3: r14_5.bar_years: \"0\" must be a whole number from 1 to 10");
  EXPECT_EQ(Refusal(v1 + Version(2, "1999-12-31")),
            "sanction-rules.tsv:6: effective_from must be later than the previous version's");
}

TEST(SanctionRules, TheVersionInForceIsTheLastThatStartedByTheDay) {
  auto rules = ParseSanctionRules(
      std::string(kHeader) + Version(1, "2000-01-01") + Version(2, "2027-07-01", 5), "t.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(SanctionRulesIn(*rules, absl::CivilDay(1999, 12, 31)), nullptr);
  EXPECT_EQ(SanctionRulesIn(*rules, absl::CivilDay(2000, 1, 1))->version, 1);
  EXPECT_EQ(SanctionRulesIn(*rules, absl::CivilDay(2027, 6, 30))->version, 1);
  EXPECT_EQ(SanctionRulesIn(*rules, absl::CivilDay(2027, 7, 1))->version, 2);
  auto none = SanctionRulesOn(*rules, absl::CivilDay(1999, 12, 31));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(ReasonOf(none.status()), "SANCTION_RULES_NOT_IN_FORCE");
  EXPECT_EQ(RuleOf(none.status()), "R14.5");
}

}  // namespace
}  // namespace zhigai::core
