#include "services/tracking/domain/project_counts.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using testing::FieldsOf;
using testing::kInstitution;

ProjectCountsInput ValidInput() {
  return ProjectCountsInput{2025, kInstitution, "DIAGNOSIS", 10, 7, 1};
}

void ExpectOnlyField(const ProjectCountsInput& input, const std::string& field) {
  auto counts = ValidateProjectCounts(input);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(FieldsOf(counts.status()), std::vector<std::string>{field});
}

TEST(ValidateProjectCountsTest, ValidRowBecomesTyped) {
  auto counts = ValidateProjectCounts(ValidInput());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (ProjectCounts{2025, kInstitution, ConsultingKind::kDiagnosis, 10, 7, 1}));
}

TEST(ValidateProjectCountsTest, ZeroCountsAreFine) {
  ProjectCountsInput input = ValidInput();
  input.declared = 0;
  input.approved_by_both = 0;
  EXPECT_TRUE(ValidateProjectCounts(input).ok());
}

TEST(ValidateProjectCountsTest, ApprovedMayEqualDeclaredNotExceedIt) {
  ProjectCountsInput input = ValidInput();
  input.approved_by_both = input.declared;
  EXPECT_TRUE(ValidateProjectCounts(input).ok());
  input.approved_by_both = input.declared + 1;
  ExpectOnlyField(input, "approved_by_both");
}

TEST(ValidateProjectCountsTest, NegativeCounts) {
  ProjectCountsInput input = ValidInput();
  input.declared = -1;
  input.approved_by_both = 0;
  ExpectOnlyField(input, "declared");
  input = ValidInput();
  input.approved_by_both = -1;
  ExpectOnlyField(input, "approved_by_both");
}

TEST(ValidateProjectCountsTest, YearKindCodeRevision) {
  ProjectCountsInput input = ValidInput();
  input.year = 1999;
  ExpectOnlyField(input, "year");
  input.year = 2000;
  EXPECT_TRUE(ValidateProjectCounts(input).ok());
  input = ValidInput();
  input.kind = "TRAINING_SERVICE";
  ExpectOnlyField(input, "kind");
  input = ValidInput();
  input.institution_credit_code = "not a code";
  ExpectOnlyField(input, "institution_credit_code");
  input = ValidInput();
  input.revision = 0;
  ExpectOnlyField(input, "revision");
}

}  // namespace
}  // namespace zhigai::tracking
