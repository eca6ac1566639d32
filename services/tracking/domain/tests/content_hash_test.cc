#include "services/tracking/domain/content_hash.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using testing::kEnterprise;
using testing::kInstitution;
using testing::kOtherInstitution;

ProjectRecord Record() {
  ProjectRecord record;
  record.project_id = "ZC-2025-000123";
  record.revision = 2;
  record.institution_credit_code = kInstitution;
  record.enterprise_credit_code = kEnterprise;
  record.kind = ConsultingKind::kSolutionDesign;
  record.declaration_date = absl::CivilDay(2025, 5, 20);
  record.city = {ProjectOutcome::kApproved, absl::CivilDay(2025, 7, 1)};
  record.county = {ProjectOutcome::kPending, std::nullopt};
  record.subsidy_fen = 12'000'000;
  return record;
}

ProjectCounts Counts() {
  return ProjectCounts{2025, kInstitution, ConsultingKind::kDiagnosis, 10, 7, 1};
}

TEST(CanonicalProjectRecordTest, FixedLayout) {
  EXPECT_EQ(CanonicalProjectRecord(Record()),
            "zhigai.tracking.ProjectRecord/1\n"
            "project_id=14:ZC-2025-000123\n"
            "institution_credit_code=18:91330302123456788P\n"
            "enterprise_credit_code=18:91330303MA2H3K4L4J\n"
            "kind=15:SOLUTION_DESIGN\n"
            "declaration_date=10:2025-05-20\n"
            "city_outcome=8:APPROVED\n"
            "city_outcome_date=10:2025-07-01\n"
            "county_outcome=7:PENDING\n"
            "county_outcome_date=0:\n"
            "subsidy_fen=8:12000000\n");
}

// The golden digests were computed outside this code (Python hashlib.sha256 of the canonical
// text above). They are stored in the database, so they must never change.
TEST(ProjectRecordHashTest, IsSha256OfTheCanonicalText) {
  EXPECT_EQ(ProjectRecordHash(Record()),
            "e93b3cb249a446df64b8352224d10985bb5c1a95955f41880410572f4eb5dffb");
}

TEST(ProjectCountsHashTest, IsSha256OfTheCanonicalText) {
  EXPECT_EQ(CanonicalProjectCounts(Counts()),
            "zhigai.tracking.ProjectCounts/1\nyear=4:2025\n"
            "institution_credit_code=18:91330302123456788P\nkind=9:DIAGNOSIS\n"
            "declared=2:10\napproved_by_both=1:7\n");
  EXPECT_EQ(ProjectCountsHash(Counts()),
            "00deb5a5df7fb0c03f1958195d6f70586f2f365355f77715f810646a086922bd");
}

TEST(ProjectRecordHashTest, RevisionIsNotContent) {
  ProjectRecord later = Record();
  later.revision = 9;
  EXPECT_EQ(ProjectRecordHash(later), ProjectRecordHash(Record()));
}

TEST(ProjectRecordHashTest, EveryContentFieldChangesTheHash) {
  const std::vector<std::function<void(ProjectRecord&)>> changes = {
      [](ProjectRecord& r) { r.project_id = "ZC-2025-000124"; },
      [](ProjectRecord& r) { r.institution_credit_code = kOtherInstitution; },
      [](ProjectRecord& r) { r.enterprise_credit_code = kOtherInstitution; },
      [](ProjectRecord& r) { r.kind = ConsultingKind::kDiagnosis; },
      [](ProjectRecord& r) { r.declaration_date += 1; },
      [](ProjectRecord& r) { r.city.outcome = ProjectOutcome::kRejected; },
      [](ProjectRecord& r) { r.city.decided_on = absl::CivilDay(2025, 7, 2); },
      [](ProjectRecord& r) {
        r.county = {ProjectOutcome::kApproved, absl::CivilDay(2025, 8, 1)};
      },
      [](ProjectRecord& r) { r.subsidy_fen += 1; },
  };
  std::set<std::string> hashes = {ProjectRecordHash(Record())};
  for (const auto& change : changes) {
    ProjectRecord record = Record();
    change(record);
    hashes.insert(ProjectRecordHash(record));
  }
  EXPECT_EQ(hashes.size(), changes.size() + 1);
}

TEST(ProjectRecordHashTest, LengthPrefixesKeepFieldBoundaries) {
  // Without the length prefix these two would serialise to the same text.
  ProjectRecord a = Record();
  a.project_id = "X\ninstitution_credit_code=18:" + std::string(kInstitution);
  a.institution_credit_code = "";
  ProjectRecord b = Record();
  b.project_id = "X";
  EXPECT_NE(ProjectRecordHash(a), ProjectRecordHash(b));
}

TEST(ProjectCountsHashTest, RevisionIsNotContentButCountsAre) {
  ProjectCounts later = Counts();
  later.revision = 5;
  EXPECT_EQ(ProjectCountsHash(later), ProjectCountsHash(Counts()));
  const std::vector<std::function<void(ProjectCounts&)>> changes = {
      [](ProjectCounts& c) { c.year = 2026; },
      [](ProjectCounts& c) { c.institution_credit_code = kOtherInstitution; },
      [](ProjectCounts& c) { c.kind = ConsultingKind::kSolutionDesign; },
      [](ProjectCounts& c) { c.declared = 11; },
      [](ProjectCounts& c) { c.approved_by_both = 6; },
  };
  std::set<std::string> hashes = {ProjectCountsHash(Counts())};
  for (const auto& change : changes) {
    ProjectCounts counts = Counts();
    change(counts);
    hashes.insert(ProjectCountsHash(counts));
  }
  EXPECT_EQ(hashes.size(), changes.size() + 1);
}

}  // namespace
}  // namespace zhigai::tracking
