#include "services/tracking/domain/project_metrics.h"

#include <vector>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using K = ConsultingKind;
using testing::kEnterprise;
using testing::kInstitution;
using testing::kOtherInstitution;

constexpr BureauOutcome kPending{ProjectOutcome::kPending, std::nullopt};

BureauOutcome Approved(absl::CivilDay day) { return {ProjectOutcome::kApproved, day}; }
BureauOutcome Rejected(absl::CivilDay day) { return {ProjectOutcome::kRejected, day}; }

ProjectRecord P(std::string id, const char* institution, K kind, absl::CivilDay declared,
                BureauOutcome city, BureauOutcome county, int64_t revision = 1) {
  ProjectRecord record;
  record.project_id = std::move(id);
  record.revision = revision;
  record.institution_credit_code = institution;
  record.enterprise_credit_code = kEnterprise;
  record.kind = kind;
  record.declaration_date = declared;
  record.city = city;
  record.county = county;
  return record;
}

TEST(AggregateProjectMetricsTest, NoRecordsNoRows) {
  EXPECT_TRUE(AggregateProjectMetrics({}, 2025).empty());
}

TEST(AggregateProjectMetricsTest, CountsDeclaredAndApprovedByBothPerInstitutionAndKind) {
  const absl::CivilDay d(2025, 3, 1);
  const absl::CivilDay ok(2025, 4, 1);
  std::vector<ProjectRecord> records = {
      P("1", kInstitution, K::kDiagnosis, d, Approved(ok), Approved(ok)),
      P("2", kInstitution, K::kDiagnosis, d, Approved(ok), kPending),
      P("3", kInstitution, K::kDiagnosis, d, Rejected(ok), Approved(ok)),
      P("4", kInstitution, K::kSolutionDesign, d, Approved(ok), Approved(ok)),
      P("5", kOtherInstitution, K::kSolutionDesign, d, kPending, kPending),
  };
  EXPECT_EQ(AggregateProjectMetrics(records, 2025),
            (std::vector<ProjectMetrics>{{kInstitution, K::kDiagnosis, 3, 1},
                                         {kInstitution, K::kSolutionDesign, 1, 1},
                                         {kOtherInstitution, K::kSolutionDesign, 1, 0}}));
}

// Decision: the declaration date's year decides; a 2025 project approved in 2026 is a 2025
// project.
TEST(AggregateProjectMetricsTest, YearIsTheDeclarationYear) {
  const absl::CivilDay approved_next_year(2026, 2, 1);
  std::vector<ProjectRecord> records = {
      P("last-day", kInstitution, K::kDiagnosis, absl::CivilDay(2025, 12, 31),
        Approved(approved_next_year), Approved(approved_next_year)),
      P("first-day", kInstitution, K::kDiagnosis, absl::CivilDay(2026, 1, 1),
        Approved(approved_next_year), Approved(approved_next_year)),
      P("year-before", kInstitution, K::kDiagnosis, absl::CivilDay(2024, 12, 31), kPending,
        kPending),
  };
  EXPECT_EQ(AggregateProjectMetrics(records, 2025),
            (std::vector<ProjectMetrics>{{kInstitution, K::kDiagnosis, 1, 1}}));
  EXPECT_EQ(AggregateProjectMetrics(records, 2026),
            (std::vector<ProjectMetrics>{{kInstitution, K::kDiagnosis, 1, 1}}));
}

TEST(AggregateProjectMetricsTest, OnlyTheHighestRevisionOfAProjectCounts) {
  const absl::CivilDay d(2025, 3, 1);
  const absl::CivilDay ok(2025, 4, 1);
  std::vector<ProjectRecord> records = {
      P("1", kInstitution, K::kDiagnosis, d, Approved(ok), Approved(ok), 2),
      P("1", kInstitution, K::kDiagnosis, d, Approved(ok), kPending, 1),
      P("2", kInstitution, K::kDiagnosis, d, Approved(ok), Approved(ok), 1),
      P("2", kInstitution, K::kDiagnosis, d, Approved(ok), Rejected(ok), 3),
  };
  EXPECT_EQ(AggregateProjectMetrics(records, 2025),
            (std::vector<ProjectMetrics>{{kInstitution, K::kDiagnosis, 2, 1}}));
}

TEST(AggregateProjectCountsTest, YearFilterAndHighestRevisionPerKey) {
  std::vector<ProjectCounts> rows = {
      {2025, kOtherInstitution, K::kDiagnosis, 4, 4, 1},
      {2025, kInstitution, K::kSolutionDesign, 5, 2, 1},
      {2025, kInstitution, K::kSolutionDesign, 6, 3, 2},
      {2025, kInstitution, K::kDiagnosis, 9, 9, 1},
      {2024, kInstitution, K::kDiagnosis, 100, 1, 7},
  };
  EXPECT_EQ(AggregateProjectCounts(rows, 2025),
            (std::vector<ProjectMetrics>{{kInstitution, K::kDiagnosis, 9, 9},
                                         {kInstitution, K::kSolutionDesign, 6, 3},
                                         {kOtherInstitution, K::kDiagnosis, 4, 4}}));
  EXPECT_TRUE(AggregateProjectCounts(rows, 2023).empty());
}

}  // namespace
}  // namespace zhigai::tracking

namespace zhigai::tracking {
namespace {

TEST(ProjectYearTest, IsTheDeclarationYear) {
  ProjectRecord record;
  record.declaration_date = absl::CivilDay(2025, 12, 31);
  EXPECT_EQ(ProjectYear(record), 2025);
  record.declaration_date = absl::CivilDay(2026, 1, 1);
  EXPECT_EQ(ProjectYear(record), 2026);
}

}  // namespace
}  // namespace zhigai::tracking
