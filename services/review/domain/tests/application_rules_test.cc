// The R5 figures as data (issue 26): the file in data/ is version 1 with the measures' figures;
// a bad file is refused naming file and line; a call's checklist applies the version the call
// recorded, so a revision changes no earlier call's judgement.
#include "services/review/domain/application_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"
#include "services/review/domain/eligibility.h"
#include "services/review/domain/testing/rules.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

constexpr char kHeader[] = "version\tparameter\tvalue\tsource\n";

std::string Version(int v, const std::string& from, int staff = 3, int master_years = 1) {
  const std::string p = std::to_string(v) + "\t";
  return p + "effective_from\t" + from + "\t\n" + p + "r5_2.default_track_record_threshold\t2\t\n" +
         p + "r5_3.min_qualified_resident_staff\t" + std::to_string(staff) + "\t\n" + p +
         "r5_3.bachelor_min_full_years\t5\t\n" + p + "r5_3.master_min_full_years\t" +
         std::to_string(master_years) + "\t\n";
}

std::string Refusal(const std::string& body) {
  auto parsed = ParseApplicationRules(kHeader + body, "application-rules.tsv");
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(ReasonOf(parsed.status()), "REFERENCE_DATA_INVALID") << parsed.status();
  return std::string(parsed.status().message());
}

TEST(ApplicationRules, TheDataFileIsVersionOneWithTheMeasuresFigures) {
  ASSERT_EQ(TestApplicationRules().size(), 1u);
  const ApplicationRules& r = TestApplicationRulesV1();
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.default_track_record_threshold, 2);
  EXPECT_EQ(r.min_qualified_resident_staff, 3);
  EXPECT_EQ(r.bachelor_min_full_years, 5);
  EXPECT_EQ(r.master_min_full_years, 1);
}

TEST(ApplicationRules, ABadFileIsRefusedNamingFileLineAndProblem) {
  const std::string v1 = Version(1, "2000-01-01");
  EXPECT_EQ(Refusal(v1 + "1\tr5_3.min_staff\t3\t\n"),
            "application-rules.tsv:7: unknown parameter \"r5_3.min_staff\"");
  EXPECT_EQ(Refusal(Version(1, "2000-01-01", 0)),
            "application-rules.tsv:4: r5_3.min_qualified_resident_staff: \"0\" must be a whole "
            "number from 1 to 100");
  EXPECT_EQ(Refusal(Version(1, "2000-01-01", 3, 6)),
            "application-rules.tsv:6: a master's degree cannot ask for more years than a "
            "bachelor's");
  EXPECT_EQ(Refusal(v1 + Version(2, "1999-12-31")),
            "application-rules.tsv:7: effective_from must be later than the previous version's");
}

// A fictitious version 2 from 2 January 2031 asks for 4 resident professionals: a call of 2031
// still records version 1 (in force on 1 January), a call of 2032 records version 2, and the
// same applicant (3 qualified professionals) passes R5.3 under the first and fails the second.
TEST(ApplicationRules, ACallJudgesUnderTheVersionInForceOnTheFirstOfJanuaryOfItsYear) {
  auto rules = ParseApplicationRules(
      std::string(kHeader) + Version(1, "2000-01-01") + Version(2, "2031-01-02", 4), "t.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ((*ApplicationRulesForYear(*rules, 2031))->version, 1);
  EXPECT_EQ((*ApplicationRulesForYear(*rules, 2032))->version, 2);
  EXPECT_EQ(ReasonOf(ApplicationRulesForYear(*rules, 1999).status()),
            "APPLICATION_RULES_NOT_IN_FORCE");
  EXPECT_EQ(ReasonOf(ApplicationRulesVersion(*rules, 3).status()),
            "APPLICATION_RULES_VERSION_MISSING");

  const ApplicationFacts facts = testing::EligibleFacts();
  Call call = testing::ValidCall();
  call.rules = **ApplicationRulesVersion(*rules, 1);
  auto under_v1 = ComputeChecklist(call, facts);
  ASSERT_TRUE(under_v1.ok()) << under_v1.status();
  call.rules = **ApplicationRulesVersion(*rules, 2);
  auto under_v2 = ComputeChecklist(call, facts);
  ASSERT_TRUE(under_v2.ok()) << under_v2.status();
  auto staff_line = [](const Checklist& c) {
    for (const ChecklistLine& line : c.lines) {
      if (line.rule_id == "R5.3") return line;
    }
    return ChecklistLine{};
  };
  EXPECT_EQ(staff_line(*under_v1).result, LineResult::kPass);
  EXPECT_EQ(staff_line(*under_v2).result, LineResult::kFail);
  EXPECT_NE(staff_line(*under_v2).reason_en.find("at least 4 required"), std::string::npos)
      << staff_line(*under_v2).reason_en;
}

}  // namespace
}  // namespace zhigai::review
