#include "services/training/domain/subsidy_report.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::Calendar;

SubsidyReport Report(const TrainingEvent& e, bool policy = true) {
  absl::StatusOr<SubsidyReport> report = BuildSubsidyReport(
      e, Calendar(), testing::FivePlusFiveCodes(), policy, {true, {}}, TestTrainingRulesV1());
  EXPECT_TRUE(report.ok()) << report.status();
  return report.value_or(SubsidyReport{});
}

const RuleOutcome* Find(const SubsidyReport& r, const std::string& check) {
  for (const RuleOutcome& o : r.outcomes) {
    if (o.check == check) return &o;
  }
  return nullptr;
}

TEST(SubsidyReportTest, QualifyingEventIsEligibleAndListsEveryCheck) {
  SubsidyReport r = Report(testing::QualifyingEvent());
  EXPECT_EQ(r.verdict, Verdict::kEligible);
  EXPECT_EQ(VerdictName(r.verdict), "ELIGIBLE");
  EXPECT_EQ(r.last_filing_day, absl::CivilDay(2025, 3, 3));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"R13.1", "DURATION"},      {"R13.2", "AUDIENCE"},
      {"R13.2", "NO_FEE"},        {"R13.3", "FIVE_PLUS_FIVE_INDUSTRY"},
      {"R13.4", "COUNTY_REVIEW"}, {"R13.4", "FILING_DEADLINE"},
      {"R13.4", "SATISFACTION"},  {"R14.5", "INSTITUTION_ELIGIBLE"}};
  ASSERT_EQ(r.outcomes.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.outcomes[i].rule, expected[i].first);
    EXPECT_EQ(r.outcomes[i].check, expected[i].second);
    EXPECT_EQ(r.outcomes[i].status, RuleStatus::kPass) << r.outcomes[i].english;
    EXPECT_FALSE(r.outcomes[i].english.empty());
    EXPECT_FALSE(r.outcomes[i].chinese.empty());
    EXPECT_FALSE(r.outcomes[i].figures.empty());
  }
  EXPECT_FALSE(r.chinese.empty());
}

// Each single break turns the verdict to NOT_ELIGIBLE and is named in the summary.
TEST(SubsidyReportTest, EachFailedRuleMakesTheEventNotEligible) {
  struct Case {
    std::string check, reason;
    void (*breakit)(TrainingEvent&);
  };
  const Case cases[] = {
      {"DURATION", "DURATION_NEEDS_APPROVED_REASON",
       [](TrainingEvent& e) { e.ends_at = e.starts_at + 241; }},
      {"AUDIENCE", "TOO_FEW_PARTICIPANTS",
       [](TrainingEvent& e) { e.attendance = testing::Rows(9, "ELECTRICAL", 49, "E"); }},
      {"NO_FEE", "FEE_CHARGED", [](TrainingEvent& e) { e.fee_fen = 5000; }},
      {"FIVE_PLUS_FIVE_INDUSTRY", "NO_FIVE_PLUS_FIVE_INDUSTRY",
       [](TrainingEvent& e) { e.industry_codes = {"TEXTILES"}; }},
      {"COUNTY_REVIEW", "COUNTY_REVIEW_NOT_APPROVED",
       [](TrainingEvent& e) { e.county_review_approved = false; }},
      {"FILING_DEADLINE", "FILED_TOO_LATE",
       [](TrainingEvent& e) { e.filed_on = absl::CivilDay(2025, 3, 4); }},
      {"FILING_DEADLINE", "NOT_FILED", [](TrainingEvent& e) { e.filed_on.reset(); }},
      {"SATISFACTION", "SATISFACTION_BELOW_80",
       [](TrainingEvent& e) {
         e.ratings = {39, 50};
       }},
      {"SATISFACTION", "NO_RATINGS",
       [](TrainingEvent& e) {
         e.ratings = {0, 0};
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    TrainingEvent e = testing::QualifyingEvent();
    c.breakit(e);
    SubsidyReport r = Report(e);
    EXPECT_EQ(r.verdict, Verdict::kNotEligible);
    int failed = 0;
    for (const RuleOutcome& o : r.outcomes) failed += o.status == RuleStatus::kFail ? 1 : 0;
    EXPECT_EQ(failed, 1);
    const RuleOutcome* o = Find(r, c.check);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->status, RuleStatus::kFail);
    EXPECT_EQ(o->reason, c.reason);
    EXPECT_NE(r.english.find(c.reason), std::string::npos) << r.english;
  }
}

TEST(SubsidyReportTest, EventsForInstitutionsSkipTheAudienceRule) {
  TrainingEvent e = testing::QualifyingEvent();
  e.type = EventType::kForInstitutions;
  e.attendance = testing::Rows(3, "ELECTRICAL", 8, "I");
  SubsidyReport r = Report(e);
  EXPECT_EQ(r.verdict, Verdict::kEligible);
  EXPECT_EQ(Find(r, "AUDIENCE")->status, RuleStatus::kNotApplicable);
}

TEST(SubsidyReportTest, AnInstitutionNotEligibleOnTheDayGetsNoSubsidy) {
  // R14.5: barred after the event was filed; every R13 check passes, the subsidy goes.
  absl::StatusOr<SubsidyReport> r =
      BuildSubsidyReport(testing::QualifyingEvent(), Calendar(), testing::FivePlusFiveCodes(), true,
                         {false, {{"BARRED", "R14.5", "barred from 2025-03-10 to 2028-03-09"}}},
                         TestTrainingRulesV1());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kNotEligible);
  const RuleOutcome* standing = Find(*r, "INSTITUTION_ELIGIBLE");
  ASSERT_NE(standing, nullptr);
  EXPECT_EQ(standing->status, RuleStatus::kFail);
  EXPECT_EQ(standing->rule, "R14.5");
  EXPECT_NE(r->english.find("R14.5 BARRED"), std::string::npos) << r->english;
}

TEST(SubsidyReportTest, NoPolicyStillListsTheChecks) {
  TrainingEvent e = testing::QualifyingEvent();
  e.fee_fen = 100;
  SubsidyReport r = Report(e, /*policy=*/false);
  EXPECT_EQ(r.verdict, Verdict::kNoSubsidyPolicy);
  EXPECT_EQ(VerdictName(r.verdict), "NO_SUBSIDY_POLICY");
  EXPECT_EQ(r.outcomes.size(), 8u);
  EXPECT_EQ(Find(r, "NO_FEE")->status, RuleStatus::kFail);
  EXPECT_EQ(Report(testing::QualifyingEvent(), false).verdict, Verdict::kNoSubsidyPolicy);
}

TEST(SubsidyReportTest, InvalidEventIsBadInput) {
  TrainingEvent e = testing::QualifyingEvent();
  e.ratings = {10, 5};
  absl::Status status = BuildSubsidyReport(e, Calendar(), testing::FivePlusFiveCodes(), true,
                                           {true, {}}, TestTrainingRulesV1())
                            .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(SubsidyReportTest, MissingCalendarYearIsAnError) {
  TrainingEvent e = testing::QualifyingEvent();
  e.starts_at = testing::At(2027, 3, 15, 9, 0);
  e.ends_at = testing::At(2027, 3, 15, 11, 0);
  e.filed_on = absl::CivilDay(2027, 2, 1);
  absl::Status status = BuildSubsidyReport(e, Calendar(), testing::FivePlusFiveCodes(), true,
                                           {true, {}}, TestTrainingRulesV1())
                            .status();
  EXPECT_EQ(ReasonOf(status), "CALENDAR_YEAR_MISSING");
}

}  // namespace
}  // namespace zhigai::training
