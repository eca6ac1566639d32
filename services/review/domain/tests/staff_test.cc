#include "services/review/domain/staff.h"

#include <gtest/gtest.h>

#include "services/review/domain/testing/rules.h"

namespace zhigai::review {
namespace {

using absl::CivilDay;

// The measures' figures, as data/application-rules.tsv gives them.
const ApplicationRules& V1() { return TestApplicationRulesV1(); }

TEST(FullYears, CountsOnlyCompletedYears) {
  EXPECT_EQ(FullYears(CivilDay(2021, 6, 30), CivilDay(2026, 6, 30)), 5);
  EXPECT_EQ(FullYears(CivilDay(2021, 6, 30), CivilDay(2026, 6, 29)), 4);
  EXPECT_EQ(FullYears(CivilDay(2021, 6, 30), CivilDay(2026, 7, 1)), 5);
  EXPECT_EQ(FullYears(CivilDay(2025, 6, 30), CivilDay(2026, 6, 30)), 1);
  EXPECT_EQ(FullYears(CivilDay(2025, 7, 1), CivilDay(2026, 6, 30)), 0);
  EXPECT_EQ(FullYears(CivilDay(2026, 6, 30), CivilDay(2026, 6, 30)), 0);
}

TEST(FullYears, StartAfterUntilIsZero) {
  EXPECT_EQ(FullYears(CivilDay(2027, 1, 1), CivilDay(2026, 6, 30)), 0);
}

TEST(FullYears, LeapDayStartReachesItsAnniversaryOnMarchFirst) {
  EXPECT_EQ(FullYears(CivilDay(2020, 2, 29), CivilDay(2025, 2, 28)), 4);
  EXPECT_EQ(FullYears(CivilDay(2020, 2, 29), CivilDay(2025, 3, 1)), 5);
  EXPECT_EQ(FullYears(CivilDay(2020, 2, 29), CivilDay(2024, 2, 29)), 4);
}

const CivilDay kClosing(2026, 6, 30);

StaffMember Graduate(DegreeLevel degree, CivilDay started, bool related = true) {
  StaffMember m;
  m.resident_in_wenzhou = true;
  m.degree = degree;
  m.degree_in_related_field = related;
  m.work_started = started;
  return m;
}

TEST(QualifiedProfessional, IntermediateOrSeniorTitleInARelatedField) {
  StaffMember m;
  m.title_in_related_field = true;
  m.title = TitleLevel::kIntermediate;
  EXPECT_TRUE(IsQualifiedProfessional(m, kClosing, V1()));
  m.title = TitleLevel::kSenior;
  EXPECT_TRUE(IsQualifiedProfessional(m, kClosing, V1()));
  m.title = TitleLevel::kJunior;
  EXPECT_FALSE(IsQualifiedProfessional(m, kClosing, V1()));
  m.title = TitleLevel::kSenior;
  m.title_in_related_field = false;
  EXPECT_FALSE(IsQualifiedProfessional(m, kClosing, V1()));
}

TEST(QualifiedProfessional, BachelorNeedsFiveFullYearsToClosingDate) {
  EXPECT_TRUE(IsQualifiedProfessional(Graduate(DegreeLevel::kBachelor, CivilDay(2021, 6, 30)),
                                      kClosing, V1()));
  EXPECT_FALSE(IsQualifiedProfessional(Graduate(DegreeLevel::kBachelor, CivilDay(2021, 6, 30)),
                                       CivilDay(2026, 6, 29), V1()));
  EXPECT_FALSE(IsQualifiedProfessional(Graduate(DegreeLevel::kBachelor, CivilDay(2021, 7, 1)),
                                       kClosing, V1()));
}

TEST(QualifiedProfessional, MasterOrDoctorateNeedsOneFullYear) {
  for (DegreeLevel d : {DegreeLevel::kMaster, DegreeLevel::kDoctorate}) {
    EXPECT_TRUE(IsQualifiedProfessional(Graduate(d, CivilDay(2025, 6, 30)), kClosing, V1()));
    EXPECT_FALSE(IsQualifiedProfessional(Graduate(d, CivilDay(2025, 7, 1)), kClosing, V1()));
  }
}

TEST(QualifiedProfessional, RelatedFieldAppliesToBothDegrees) {
  EXPECT_FALSE(IsQualifiedProfessional(
      Graduate(DegreeLevel::kBachelor, CivilDay(2010, 1, 1), /*related=*/false), kClosing, V1()));
  EXPECT_FALSE(IsQualifiedProfessional(
      Graduate(DegreeLevel::kMaster, CivilDay(2010, 1, 1), /*related=*/false), kClosing, V1()));
}

TEST(QualifiedProfessional, LowerDegreesAndUnknownStartNeverQualify) {
  EXPECT_FALSE(IsQualifiedProfessional(Graduate(DegreeLevel::kAssociate, CivilDay(2000, 1, 1)),
                                       kClosing, V1()));
  EXPECT_FALSE(
      IsQualifiedProfessional(Graduate(DegreeLevel::kNone, CivilDay(2000, 1, 1)), kClosing, V1()));
  StaffMember m = Graduate(DegreeLevel::kMaster, CivilDay(2000, 1, 1));
  m.work_started.reset();
  EXPECT_FALSE(IsQualifiedProfessional(m, kClosing, V1()));
}

}  // namespace
}  // namespace zhigai::review
