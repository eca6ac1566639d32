#include "services/tracking/domain/project_record.h"

#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using testing::FieldsOf;
using testing::kEnterprise;
using testing::kInstitution;

ProjectRecordInput ValidInput() {
  ProjectRecordInput input;
  input.project_id = "ZC-2025-000123";
  input.revision = 1;
  input.institution_credit_code = kInstitution;
  input.enterprise_credit_code = kEnterprise;
  input.kind = "SOLUTION_DESIGN";
  input.declaration_date = "2025-05-20";
  input.city_outcome = "APPROVED";
  input.city_outcome_date = "2025-07-01";
  input.county_outcome = "APPROVED";
  input.county_outcome_date = "2025-06-15";
  input.subsidy_fen = 12'000'000;
  return input;
}

// Expects exactly one violation, on `field`.
void ExpectOnlyField(const ProjectRecordInput& input, const std::string& field) {
  auto record = ValidateProjectRecord(input);
  EXPECT_EQ(record.status().code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(FieldsOf(record.status()), std::vector<std::string>{field});
}

TEST(ValidateProjectRecordTest, ValidInputBecomesATypedRecord) {
  auto record = ValidateProjectRecord(ValidInput());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->project_id, "ZC-2025-000123");
  EXPECT_EQ(record->revision, 1);
  EXPECT_EQ(record->kind, ConsultingKind::kSolutionDesign);
  EXPECT_EQ(record->declaration_date, absl::CivilDay(2025, 5, 20));
  EXPECT_EQ(record->city, (BureauOutcome{ProjectOutcome::kApproved, absl::CivilDay(2025, 7, 1)}));
  EXPECT_EQ(record->county,
            (BureauOutcome{ProjectOutcome::kApproved, absl::CivilDay(2025, 6, 15)}));
  EXPECT_EQ(record->subsidy_fen, 12'000'000);
}

TEST(ValidateProjectRecordTest, PendingOutcomesCarryNoDate) {
  ProjectRecordInput input = ValidInput();
  input.city_outcome = "PENDING";
  input.city_outcome_date = "";
  input.county_outcome = "REJECTED";
  auto record = ValidateProjectRecord(input);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->city.outcome, ProjectOutcome::kPending);
  EXPECT_FALSE(record->city.decided_on.has_value());
  EXPECT_EQ(record->county.outcome, ProjectOutcome::kRejected);
  EXPECT_TRUE(record->county.decided_on.has_value());
}

TEST(ValidateProjectRecordTest, SubsidyBetweenZeroAndTenMillionYuan) {
  ProjectRecordInput input = ValidInput();
  input.subsidy_fen = 0;
  EXPECT_TRUE(ValidateProjectRecord(input).ok());
  input.subsidy_fen = -1;
  ExpectOnlyField(input, "subsidy_fen");
  input.subsidy_fen = kMaxProjectSubsidyFen;  // the last amount taken
  EXPECT_TRUE(ValidateProjectRecord(input).ok());
  input.subsidy_fen = kMaxProjectSubsidyFen + 1;
  ExpectOnlyField(input, "subsidy_fen");
  input.subsidy_fen = std::numeric_limits<int64_t>::max();  // two of these used to sum to it
  ExpectOnlyField(input, "subsidy_fen");
}

TEST(ValidateProjectRecordTest, UnknownKind) {
  for (const char* kind : {"TRAINING_SERVICE", "", "Diagnosis", "SERVICE_KIND_UNSPECIFIED"}) {
    ProjectRecordInput input = ValidInput();
    input.kind = kind;
    ExpectOnlyField(input, "kind");
  }
}

TEST(ValidateProjectRecordTest, UnknownOutcome) {
  ProjectRecordInput input = ValidInput();
  input.city_outcome = "APPROVE";
  ExpectOnlyField(input, "city_outcome");
  input = ValidInput();
  input.county_outcome = "";
  ExpectOnlyField(input, "county_outcome");
}

TEST(ValidateProjectRecordTest, DecisionOnDeclarationDayIsFineDayBeforeIsNot) {
  ProjectRecordInput input = ValidInput();
  input.city_outcome_date = input.declaration_date;
  EXPECT_TRUE(ValidateProjectRecord(input).ok());
  input.city_outcome_date = "2025-05-19";
  ExpectOnlyField(input, "city_outcome_date");
  input = ValidInput();
  input.county_outcome_date = "2024-12-31";
  ExpectOnlyField(input, "county_outcome_date");
}

TEST(ValidateProjectRecordTest, DecidedOutcomeNeedsADate) {
  for (const char* outcome : {"APPROVED", "REJECTED"}) {
    ProjectRecordInput input = ValidInput();
    input.county_outcome = outcome;
    input.county_outcome_date = "";
    ExpectOnlyField(input, "county_outcome_date");
  }
}

TEST(ValidateProjectRecordTest, PendingOutcomeMustNotHaveADate) {
  ProjectRecordInput input = ValidInput();
  input.city_outcome = "PENDING";
  ExpectOnlyField(input, "city_outcome_date");
}

TEST(ValidateProjectRecordTest, MalformedDates) {
  ProjectRecordInput input = ValidInput();
  input.declaration_date = "2025/05/20";
  ExpectOnlyField(input, "declaration_date");
  input = ValidInput();
  input.city_outcome_date = "2025-02-30";
  ExpectOnlyField(input, "city_outcome_date");
}

TEST(ValidateProjectRecordTest, RevisionStartsAtOne) {
  ProjectRecordInput input = ValidInput();
  input.revision = 0;
  ExpectOnlyField(input, "revision");
  input.revision = -5;
  ExpectOnlyField(input, "revision");
}

TEST(ValidateProjectRecordTest, CreditCodesFollowR01) {
  ProjectRecordInput input = ValidInput();
  input.institution_credit_code = "91330302123456788X";  // wrong check character
  ExpectOnlyField(input, "institution_credit_code");
  input = ValidInput();
  input.enterprise_credit_code = "";
  ExpectOnlyField(input, "enterprise_credit_code");
}

TEST(ValidateProjectRecordTest, ProjectIdRequired) {
  ProjectRecordInput input = ValidInput();
  input.project_id = "";
  ExpectOnlyField(input, "project_id");
}

TEST(ValidateProjectRecordTest, OneStatusNamesEveryBadField) {
  ProjectRecordInput input = ValidInput();
  input.kind = "X";
  input.subsidy_fen = -100;
  input.county_outcome = "MAYBE";
  auto record = ValidateProjectRecord(input);
  EXPECT_EQ(FieldsOf(record.status()),
            (std::vector<std::string>{"kind", "county_outcome", "subsidy_fen"}));
}

TEST(ValidateProjectRecordTest, BadDeclarationDateDoesNotBlameOutcomeDates) {
  ProjectRecordInput input = ValidInput();
  input.declaration_date = "not a date";
  ExpectOnlyField(input, "declaration_date");
}

TEST(ApprovedByBothTest, NeedsCityAndCounty) {
  auto record = ValidateProjectRecord(ValidInput());
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(ApprovedByBoth(*record));
  ProjectRecord city_only = *record;
  city_only.county = {ProjectOutcome::kPending, std::nullopt};
  EXPECT_FALSE(ApprovedByBoth(city_only));
  ProjectRecord county_only = *record;
  county_only.city = {ProjectOutcome::kRejected, absl::CivilDay(2025, 7, 1)};
  EXPECT_FALSE(ApprovedByBoth(county_only));
}

TEST(ProjectOutcomeNameTest, RoundTrips) {
  for (ProjectOutcome outcome :
       {ProjectOutcome::kPending, ProjectOutcome::kApproved, ProjectOutcome::kRejected}) {
    auto parsed = ParseProjectOutcome(ProjectOutcomeName(outcome));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, outcome);
  }
}

}  // namespace
}  // namespace zhigai::tracking
