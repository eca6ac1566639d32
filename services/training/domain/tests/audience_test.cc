#include "services/training/domain/audience.h"

#include "gtest/gtest.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::ExpectFail;
using testing::ExpectPass;
using testing::FigureOf;
using testing::Rows;

// `people` participants spread over enterprises of four industries, so no single industry
// reaches 10 enterprises.
TrainingEvent WithMixedAudience(EventType type, int64_t people) {
  TrainingEvent e = testing::QualifyingEvent();
  e.type = type;
  e.attendance.clear();
  const char* industries[] = {"ELECTRICAL", "FOOTWEAR", "APPAREL", "PUMP_VALVE"};
  for (int i = 0; i < 4; ++i) {
    const int64_t share = people / 4 + (i < people % 4 ? 1 : 0);
    for (const AttendanceRow& r : Rows(2, industries[i], share, industries[i])) {
      e.attendance.push_back(r);
    }
  }
  return e;
}

TEST(AudienceTest, FiftyParticipantsIsTheThreshold) {
  ExpectFail(CheckAudience(WithMixedAudience(EventType::kTraining, 49), TestTrainingRulesV1()),
             "TOO_FEW_PARTICIPANTS");
  RuleOutcome out =
      CheckAudience(WithMixedAudience(EventType::kTraining, 50), TestTrainingRulesV1());
  ExpectPass(out);
  EXPECT_EQ(out.rule, "R13.2");
  EXPECT_EQ(FigureOf(out, "participants"), "50");
}

TEST(AudienceTest, TenEnterprisesOfOneIndustryWithThirtyPeople) {
  TrainingEvent e = testing::QualifyingEvent();
  e.attendance = Rows(10, "FOOTWEAR", 30, "F");
  RuleOutcome out = CheckAudience(e, TestTrainingRulesV1());
  ExpectPass(out);
  EXPECT_EQ(FigureOf(out, "top_industry"), "FOOTWEAR");
  EXPECT_EQ(FigureOf(out, "top_industry_enterprises"), "10");
  EXPECT_EQ(FigureOf(out, "top_industry_participants"), "30");
}

TEST(AudienceTest, NineEnterprisesOfOneIndustryIsNotEnough) {
  TrainingEvent e = testing::QualifyingEvent();
  e.attendance = Rows(9, "FOOTWEAR", 30, "F");
  ExpectFail(CheckAudience(e, TestTrainingRulesV1()), "TOO_FEW_PARTICIPANTS");
}

TEST(AudienceTest, TwentyNinePeopleOfOneIndustryIsNotEnough) {
  TrainingEvent e = testing::QualifyingEvent();
  e.attendance = Rows(10, "FOOTWEAR", 29, "F");
  ExpectFail(CheckAudience(e, TestTrainingRulesV1()), "TOO_FEW_PARTICIPANTS");
}

TEST(AudienceTest, OtherIndustriesDoNotMakeUpTheThirty) {
  TrainingEvent e = testing::QualifyingEvent();
  e.attendance = Rows(10, "FOOTWEAR", 29, "F");
  for (const AttendanceRow& r : Rows(2, "APPAREL", 10, "A")) e.attendance.push_back(r);
  RuleOutcome out = CheckAudience(e, TestTrainingRulesV1());
  ExpectFail(out, "TOO_FEW_PARTICIPANTS");
  EXPECT_EQ(FigureOf(out, "participants"), "39");
  EXPECT_EQ(FigureOf(out, "top_industry_participants"), "29");
}

TEST(AudienceTest, TheQualifyingIndustryIsFoundAmongOthers) {
  TrainingEvent e = testing::QualifyingEvent();
  e.attendance = Rows(11, "APPAREL", 11, "A");  // more enterprises, too few people
  for (const AttendanceRow& r : Rows(10, "PUMP_VALVE", 30, "P")) e.attendance.push_back(r);
  RuleOutcome out = CheckAudience(e, TestTrainingRulesV1());
  ExpectPass(out);
  EXPECT_EQ(FigureOf(out, "top_industry"), "PUMP_VALVE");
}

TEST(AudienceTest, LecturesAndForumsNeedOneHundred) {
  for (EventType type : {EventType::kLecture, EventType::kForum}) {
    ExpectFail(CheckAudience(WithMixedAudience(type, 99), TestTrainingRulesV1()),
               "TOO_FEW_PARTICIPANTS");
    RuleOutcome out = CheckAudience(WithMixedAudience(type, 100), TestTrainingRulesV1());
    ExpectPass(out);
    EXPECT_EQ(FigureOf(out, "required_participants"), "100");
  }
}

TEST(AudienceTest, LectureCannotUseTheIndustryAlternative) {
  TrainingEvent e = testing::QualifyingEvent();
  e.type = EventType::kLecture;
  e.attendance = Rows(20, "FOOTWEAR", 60, "F");
  ExpectFail(CheckAudience(e, TestTrainingRulesV1()), "TOO_FEW_PARTICIPANTS");
}

TEST(AudienceTest, NotAppliedToEventsForInstitutions) {
  TrainingEvent e = testing::QualifyingEvent();
  e.type = EventType::kForInstitutions;
  e.attendance = Rows(1, "ELECTRICAL", 5, "I");
  RuleOutcome out = CheckAudience(e, TestTrainingRulesV1());
  EXPECT_EQ(out.status, RuleStatus::kNotApplicable);
  EXPECT_TRUE(out.passed());
}

TEST(FeeTest, AnyChargeFailsForEveryType) {
  for (EventType type : {EventType::kTraining, EventType::kLecture, EventType::kForum,
                         EventType::kForInstitutions}) {
    TrainingEvent e = testing::QualifyingEvent();
    e.type = type;
    ExpectPass(CheckNoFee(e));
    e.fee_fen = 1;
    RuleOutcome out = CheckNoFee(e);
    ExpectFail(out, "FEE_CHARGED");
    EXPECT_EQ(FigureOf(out, "fee_fen"), "1");
  }
}

}  // namespace
}  // namespace zhigai::training
