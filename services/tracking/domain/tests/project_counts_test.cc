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
  return ProjectCountsInput{2025, kInstitution, "DIAGNOSIS", 10, 7, 1, std::nullopt};
}

void ExpectOnlyField(const ProjectCountsInput& input, const std::string& field) {
  auto counts = ValidateProjectCounts(input);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(FieldsOf(counts.status()), std::vector<std::string>{field});
}

TEST(ValidateProjectCountsTest, ValidRowBecomesTyped) {
  auto counts = ValidateProjectCounts(ValidInput());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts,
            (ProjectCounts{2025, kInstitution, ConsultingKind::kDiagnosis, 10, 7, 1, false}));
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
  input.revision = -1;
  input.as_of = absl::FromUnixSeconds(1);
  ExpectOnlyField(input, "revision");
}

// Issue 27 item 5: counts have a plausible maximum; the last one is taken, the next refused.
TEST(ValidateProjectCountsTest, DeclaredHasAnUpperBound) {
  ProjectCountsInput input = ValidInput();
  input.declared = kMaxProjectsPerKindAndYear;
  EXPECT_TRUE(ValidateProjectCounts(input).ok());
  input.declared = kMaxProjectsPerKindAndYear + 1;
  ExpectOnlyField(input, "declared");
  input.declared = int64_t{5'000'000'000};  // read back as 705,032,704 before
  ExpectOnlyField(input, "declared");
}

// Issue 12's promise: without a revision the as-of instant orders the rows (microseconds since
// 1970 stand in for the revision), and a revision always wins over an as_of sent beside it.
TEST(ValidateProjectCountsTest, AsOfOrdersARowWithoutRevision) {
  ProjectCountsInput input = ValidInput();
  input.revision = 0;
  input.as_of = absl::FromUnixMicros(2'000'000'000'000'001);
  auto counts = ValidateProjectCounts(input);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_TRUE(counts->ordered_by_as_of);
  EXPECT_EQ(counts->revision, 2'000'000'000'000'001);
  input.revision = 4;
  counts = ValidateProjectCounts(input);
  ASSERT_TRUE(counts.ok());
  EXPECT_FALSE(counts->ordered_by_as_of);
  EXPECT_EQ(counts->revision, 4);
  input.revision = 0;
  input.as_of = absl::UnixEpoch();
  ExpectOnlyField(input, "as_of");
}

TEST(CheckCountsOrderingTest, AKeyKeepsItsOrder) {
  EXPECT_TRUE(CheckCountsOrdering(false, false, "k").ok());
  EXPECT_TRUE(CheckCountsOrdering(true, true, "k").ok());
  absl::Status mixed = CheckCountsOrdering(false, true, "2025/X/DIAGNOSIS");
  EXPECT_EQ(mixed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(mixed.message().find("2025/X/DIAGNOSIS is ordered by revisions"), std::string::npos)
      << mixed.message();
  EXPECT_FALSE(CheckCountsOrdering(true, false, "k").ok());
}

}  // namespace
}  // namespace zhigai::tracking
