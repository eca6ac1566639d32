#include "services/review/domain/conflict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

using ::testing::HasSubstr;

ReviewedApplication Single() {
  return {"app-1", {"APPLICANT", LegalForm::kIndependentLegalPerson, {}}};
}

ReviewedApplication ConsortiumApp() {
  return {"app-2",
          {"LEAD", LegalForm::kIndependentLegalPerson, {{"LEAD", true}, {"SUPPLIER", false}}}};
}

TEST(CheckConflict, NoTieNoEmployerMatchIsFine) {
  Expert e{"exp-1", "UNIVERSITY", {"SOMEONE_ELSE"}};
  EXPECT_TRUE(CheckConflict(e, Single()).ok());
  EXPECT_TRUE(CheckConflict(e, ConsortiumApp()).ok());
}

TEST(CheckConflict, DeclaredTieToTheApplicant) {
  absl::Status s = CheckConflict(Expert{"exp-1", "UNIVERSITY", {"APPLICANT"}}, Single());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_EQ(RuleOf(s), "R7.1");
  EXPECT_THAT(std::string(s.message()), HasSubstr("declared tie"));
  EXPECT_FALSE(ChineseOf(s).empty());
}

TEST(CheckConflict, DeclaredTieToAConsortiumMember) {
  absl::Status s = CheckConflict(Expert{"exp-1", "", {"SUPPLIER"}}, ConsortiumApp());
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_THAT(std::string(s.message()), HasSubstr("declared tie"));
}

TEST(CheckConflict, EmployerIsTheApplicant) {
  absl::Status s = CheckConflict(Expert{"exp-1", "APPLICANT", {}}, Single());
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_THAT(std::string(s.message()), HasSubstr("employer"));
}

TEST(CheckConflict, EmployerIsAConsortiumMember) {
  absl::Status s = CheckConflict(Expert{"exp-1", "SUPPLIER", {}}, ConsortiumApp());
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_THAT(std::string(s.message()), HasSubstr("employer"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("app-2"));
}

TEST(CheckConflict, EmptyCodesNeverMatch) {
  ReviewedApplication a = Single();
  a.applicant.credit_code = "";
  EXPECT_TRUE(CheckConflict(Expert{"exp-1", "", {""}}, a).ok());
}

}  // namespace
}  // namespace zhigai::review
