#include "services/training/domain/institution_standing.h"

#include <gtest/gtest.h>

#include "libs/core/errors.h"

namespace zhigai::training {
namespace {

TEST(InstitutionStandingTest, AnEligibleInstitutionPasses) {
  RuleOutcome out = CheckInstitutionStanding({true, {}});
  EXPECT_EQ(out.status, RuleStatus::kPass);
  EXPECT_EQ(out.check, "INSTITUTION_ELIGIBLE");
  EXPECT_TRUE(RequireStanding({true, {}}, "X", "2025-03-17").ok());
}

TEST(InstitutionStandingTest, ASanctionLeadsWhateverTheOrderOfTheReasons) {
  InstitutionStanding barred{false,
                             {{"ENTRY_REMOVED", "R4.1", "removed on 2025-03-01"},
                              {"BARRED", "R14.5", "barred from 2025-03-01 to 2028-02-29"}}};
  RuleOutcome out = CheckInstitutionStanding(barred);
  EXPECT_EQ(out.status, RuleStatus::kFail);
  EXPECT_EQ(out.rule, "R14.5");
  EXPECT_EQ(out.reason, "BARRED");
  EXPECT_NE(out.english.find("ENTRY_REMOVED (R4.1)"), std::string::npos) << out.english;
  absl::Status s = RequireStanding(barred, "X", "2025-03-17");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "INSTITUTION_NOT_ELIGIBLE");
  EXPECT_EQ(RuleOf(s), "R14.5");
  InstitutionStanding cancelled{false, {{"CANCELLED", "R14.4", "cancelled for 2025"}}};
  EXPECT_EQ(CheckInstitutionStanding(cancelled).rule, "R14.4");
}

TEST(InstitutionStandingTest, WithoutASanctionTheFirstReasonIsNamed) {
  InstitutionStanding unlisted{false, {{"NOT_IN_DIRECTORY", "R4.1", "not in 2025's directory"}}};
  RuleOutcome out = CheckInstitutionStanding(unlisted);
  EXPECT_EQ(out.rule, "R4.1");
  EXPECT_EQ(out.reason, "NOT_IN_DIRECTORY");
}

}  // namespace
}  // namespace zhigai::training
