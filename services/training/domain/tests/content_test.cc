#include "services/training/domain/content.h"

#include "gtest/gtest.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::ExpectFail;
using testing::ExpectPass;
using testing::FigureOf;

TEST(ContentTest, EveryFivePlusFiveCodeFromTheDataFilePasses) {
  const std::set<std::string> codes = testing::FivePlusFiveCodes();
  for (const std::string& code : codes) {
    TrainingEvent e = testing::QualifyingEvent();
    e.industry_codes = {code};
    RuleOutcome out = CheckIndustries(e, codes);
    ExpectPass(out);
    EXPECT_EQ(out.rule, "R13.3");
  }
}

TEST(ContentTest, OneTargetedIndustryAmongOthersIsEnough) {
  TrainingEvent e = testing::QualifyingEvent();
  e.industry_codes = {"TEXTILES", "PUMP_VALVE"};
  RuleOutcome out = CheckIndustries(e, testing::FivePlusFiveCodes());
  ExpectPass(out);
  EXPECT_EQ(FigureOf(out, "five_plus_five_industries"), "PUMP_VALVE");
  EXPECT_EQ(FigureOf(out, "other_industries"), "TEXTILES");
}

TEST(ContentTest, NoTargetedIndustryFails) {
  TrainingEvent e = testing::QualifyingEvent();
  e.industry_codes = {"TEXTILES", "electrical"};  // codes are case-sensitive keys
  ExpectFail(CheckIndustries(e, testing::FivePlusFiveCodes()), "NO_FIVE_PLUS_FIVE_INDUSTRY");
  e.industry_codes.clear();
  ExpectFail(CheckIndustries(e, testing::FivePlusFiveCodes()), "NO_FIVE_PLUS_FIVE_INDUSTRY");
}

TEST(ContentTest, UsesTheSetItIsGiven) {
  TrainingEvent e = testing::QualifyingEvent();
  e.industry_codes = {"ELECTRICAL"};
  ExpectFail(CheckIndustries(e, {}), "NO_FIVE_PLUS_FIVE_INDUSTRY");
  ExpectPass(CheckIndustries(e, {"ELECTRICAL"}));
}

}  // namespace
}  // namespace zhigai::training
