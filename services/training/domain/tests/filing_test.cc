#include "services/training/domain/filing.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

using testing::Calendar;
using testing::ExpectFail;
using testing::ExpectPass;
using testing::FigureOf;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(FilingTest, EveryWorkedExampleAllowsTheLastDayAndRefusesTheDayAfter) {
  for (const testing::FilingExample& ex : testing::FilingExamples()) {
    SCOPED_TRACE(ex.note);
    const std::string last = absl::FormatCivilTime(ex.last_filing_day);

    absl::StatusOr<RuleOutcome> on_time =
        CheckFilingDeadline(Calendar(), ex.event_date, ex.last_filing_day, TestTrainingRulesV1());
    ASSERT_TRUE(on_time.ok()) << on_time.status();
    ExpectPass(*on_time);
    EXPECT_EQ(FigureOf(*on_time, "last_filing_day"), last);
    EXPECT_TRUE(
        CheckFilingAllowed(Calendar(), ex.event_date, ex.last_filing_day, TestTrainingRulesV1())
            .ok());
    EXPECT_TRUE(
        CheckFilingAllowed(Calendar(), ex.event_date, ex.last_filing_day - 7, TestTrainingRulesV1())
            .ok());

    absl::StatusOr<RuleOutcome> late = CheckFilingDeadline(
        Calendar(), ex.event_date, ex.last_filing_day + 1, TestTrainingRulesV1());
    ASSERT_TRUE(late.ok()) << late.status();
    ExpectFail(*late, "FILED_TOO_LATE");
    EXPECT_NE(late->english.find(last), std::string::npos) << late->english;
    EXPECT_NE(late->chinese.find(last), std::string::npos) << late->chinese;

    absl::Status refused = CheckFilingAllowed(Calendar(), ex.event_date, ex.last_filing_day + 1,
                                              TestTrainingRulesV1());
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(refused), "FILED_TOO_LATE");
    EXPECT_EQ(RuleOf(refused), "R13.4");
    EXPECT_NE(refused.message().find(last), absl::string_view::npos) << refused;
  }
}

TEST(FilingTest, FilingOnTheEventDayIsLate) {
  absl::Status refused =
      CheckFilingAllowed(Calendar(), Day(2025, 3, 17), Day(2025, 3, 17), TestTrainingRulesV1());
  EXPECT_EQ(ReasonOf(refused), "FILED_TOO_LATE");
}

TEST(FilingTest, SpringFestivalWindow) {
  // Event Wed 2025-02-05: Jan 28-Feb 4 are off, Sun Jan 26 works; last day Wed Jan 15.
  EXPECT_TRUE(
      CheckFilingAllowed(Calendar(), Day(2025, 2, 5), Day(2025, 1, 15), TestTrainingRulesV1())
          .ok());
  EXPECT_EQ(ReasonOf(CheckFilingAllowed(Calendar(), Day(2025, 2, 5), Day(2025, 1, 16),
                                        TestTrainingRulesV1())),
            "FILED_TOO_LATE");
}

TEST(FilingTest, NationalDayWindow) {
  EXPECT_TRUE(
      CheckFilingAllowed(Calendar(), Day(2025, 10, 9), Day(2025, 9, 18), TestTrainingRulesV1())
          .ok());
  EXPECT_EQ(ReasonOf(CheckFilingAllowed(Calendar(), Day(2025, 10, 9), Day(2025, 9, 19),
                                        TestTrainingRulesV1())),
            "FILED_TOO_LATE");
}

TEST(FilingTest, NotFiledStatesTheLastFilingDay) {
  absl::StatusOr<RuleOutcome> out =
      CheckFilingDeadline(Calendar(), Day(2025, 3, 17), {}, TestTrainingRulesV1());
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFail(*out, "NOT_FILED");
  EXPECT_EQ(FigureOf(*out, "last_filing_day"), "2025-03-03");
  EXPECT_NE(out->english.find("2025-03-03"), std::string::npos);
}

TEST(FilingTest, MissingCalendarYearIsAnErrorNotAGuess) {
  for (absl::CivilDay event : {Day(2027, 3, 15), Day(2025, 1, 10)}) {
    absl::Status status =
        CheckFilingDeadline(Calendar(), event, event - 30, TestTrainingRulesV1()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(status), "CALENDAR_YEAR_MISSING");
    EXPECT_EQ(ReasonOf(CheckFilingAllowed(Calendar(), event, event - 30, TestTrainingRulesV1())),
              "CALENDAR_YEAR_MISSING");
  }
}

TEST(CountyReviewTest, RequiresApproval) {
  TrainingEvent e = testing::QualifyingEvent();
  ExpectPass(CheckCountyReview(e));
  e.county_review_approved = false;
  ExpectFail(CheckCountyReview(e), "COUNTY_REVIEW_NOT_APPROVED");
}

}  // namespace
}  // namespace zhigai::training
