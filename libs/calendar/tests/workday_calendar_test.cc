#include "libs/calendar/workday_calendar.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::calendar {
namespace {

const std::string kCalendarPath = std::string(ZHIGAI_DATA_DIR) + "/cn-workdays.tsv";
const std::string kExamplesPath = std::string(ZHIGAI_DATA_DIR) + "/cn-workdays-examples.tsv";

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

absl::CivilDay ParseDay(absl::string_view text) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(text, &day)) << text;
  return day;
}

class CalendarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<WorkdayCalendar> loaded = WorkdayCalendar::Load(kCalendarPath);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    calendar_ = std::make_unique<WorkdayCalendar>(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    calendar_.reset();
    calendar_ = nullptr;
  }
  bool Works(absl::CivilDay day) {
    absl::StatusOr<bool> works = calendar_->IsWorkday(day);
    EXPECT_TRUE(works.ok()) << works.status();
    return works.value_or(false);
  }
  static inline std::unique_ptr<WorkdayCalendar> calendar_;

 public:
  static const WorkdayCalendar* calendar() { return calendar_.get(); }
};

// "2025, 2026": the years the calendar holds, as a refusal names them.
std::string YearsHeld(const WorkdayCalendar& calendar) {
  std::string out;
  for (int y = calendar.first_year(); y <= calendar.last_year(); ++y) {
    if (calendar.HasYear(y)) absl::StrAppend(&out, out.empty() ? "" : ", ", y);
  }
  return out;
}

void ExpectYearMissing(const absl::Status& status, absl::string_view year,
                       const WorkdayCalendar& calendar) {
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(ReasonOf(status), "CALENDAR_YEAR_MISSING");
  EXPECT_EQ(RuleOf(status), "R13.4");
  EXPECT_NE(status.message().find(year), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("reload"), absl::string_view::npos) << status;
  // The years held are named; the server's file path is not (clients never see paths).
  EXPECT_NE(status.message().find(absl::StrCat("it holds ", YearsHeld(calendar), ")")),
            absl::string_view::npos)
      << status;
  EXPECT_EQ(status.message().find("cn-workdays.tsv"), absl::string_view::npos) << status;
  EXPECT_EQ(status.message().find('/'), absl::string_view::npos) << status;
  EXPECT_NE(ChineseOf(status).find(std::string(year)), std::string::npos);
}

// These tests hold whichever years data/cn-workdays.tsv holds: years are only ever added (the
// State Council's notice for the next year, each November), so a test may rely on 2025 and
// 2026 being there, and on the year after the last one being missing, never on which it is.
absl::civil_year_t MissingYear() { return CalendarTest::calendar()->last_year() + 1; }

TEST_F(CalendarTest, CoversTheYearsInTheFile) {
  EXPECT_EQ(calendar_->first_year(), 2025);
  EXPECT_GE(calendar_->last_year(), 2026);
  for (int y = 2025; y <= calendar_->last_year(); ++y) EXPECT_TRUE(calendar_->HasYear(y)) << y;
  EXPECT_FALSE(calendar_->HasYear(2024));
  EXPECT_FALSE(calendar_->HasYear(MissingYear()));
}

// Every worked example of data/cn-workdays-examples.tsv, read at test time.
TEST_F(CalendarTest, AllWorkedExamplesFromDataFile) {
  std::ifstream in(kExamplesPath);
  ASSERT_TRUE(in) << kExamplesPath;
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("event_date\tlast_filing_day", 0), 0u) << line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    ASSERT_GE(fields.size(), 2u) << line;
    SCOPED_TRACE(line);
    const absl::CivilDay event = ParseDay(fields[0]);
    const absl::CivilDay expected = ParseDay(fields[1]);
    absl::StatusOr<absl::CivilDay> last = calendar_->LastFilingDay(event);
    ASSERT_TRUE(last.ok()) << last.status();
    EXPECT_EQ(*last, expected);
    // The default is the rule's 10 working days.
    EXPECT_EQ(*calendar_->LastFilingDay(event, 10), expected);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(CalendarTest, PlainWeekIsMondayToFriday) {
  // 2025-03-10 is a Monday with no holiday near.
  for (int d = 10; d <= 14; ++d) EXPECT_TRUE(Works(Day(2025, 3, d))) << d;
  EXPECT_FALSE(Works(Day(2025, 3, 15)));
  EXPECT_FALSE(Works(Day(2025, 3, 16)));
}

TEST_F(CalendarTest, SpringFestivalBlocksAreOffAndTheirSwapsWork) {
  for (absl::CivilDay d = Day(2025, 1, 28); d <= Day(2025, 2, 4); ++d) {
    EXPECT_FALSE(Works(d)) << d;
  }
  EXPECT_TRUE(Works(Day(2025, 1, 26)));  // Sunday, adjusted workday
  EXPECT_TRUE(Works(Day(2025, 2, 8)));   // Saturday, adjusted workday
  EXPECT_TRUE(Works(Day(2025, 2, 5)));
  for (absl::CivilDay d = Day(2026, 2, 15); d <= Day(2026, 2, 23); ++d) {
    EXPECT_FALSE(Works(d)) << d;
  }
  EXPECT_TRUE(Works(Day(2026, 2, 14)));
  EXPECT_TRUE(Works(Day(2026, 2, 28)));
  EXPECT_EQ(*calendar_->LastFilingDay(Day(2025, 2, 5)), Day(2025, 1, 15));
}

TEST_F(CalendarTest, NationalDayBlocksAreOffAndTheirSwapsWork) {
  for (absl::CivilDay d = Day(2025, 10, 1); d <= Day(2025, 10, 8); ++d) {
    EXPECT_FALSE(Works(d)) << d;
  }
  EXPECT_TRUE(Works(Day(2025, 9, 28)));
  EXPECT_TRUE(Works(Day(2025, 10, 11)));
  for (absl::CivilDay d = Day(2026, 10, 1); d <= Day(2026, 10, 7); ++d) {
    EXPECT_FALSE(Works(d)) << d;
  }
  EXPECT_FALSE(Works(Day(2026, 9, 25)));  // Mid-Autumn, a Friday
  EXPECT_TRUE(Works(Day(2026, 10, 10)));
  EXPECT_EQ(*calendar_->LastFilingDay(Day(2025, 10, 9)), Day(2025, 9, 18));
}

TEST_F(CalendarTest, AdjustedWorkdayCountsWhenCountingBack) {
  EXPECT_TRUE(Works(Day(2026, 1, 4)));    // Sunday after New Year 2026
  EXPECT_FALSE(Works(Day(2026, 1, 11)));  // an ordinary Sunday
  // Event on Mon 2026-01-05: Sun Jan 4 is the first counted day, Jan 1-3 are skipped.
  EXPECT_EQ(*calendar_->LastFilingDay(Day(2026, 1, 5), 1), Day(2026, 1, 4));
  EXPECT_EQ(*calendar_->LastFilingDay(Day(2026, 1, 5), 2), Day(2025, 12, 31));
}

// Independent check of the count: for every event date whose window stays inside the
// calendar, the answer is a working day and exactly N working days lie in [answer, event).
TEST_F(CalendarTest, CountBackInvariantHoldsForEveryDay) {
  for (int n : {1, 5, 10}) {
    for (absl::CivilDay event = Day(2025, 2, 1); event <= Day(2027, 1, 1); ++event) {
      absl::StatusOr<absl::CivilDay> last = calendar_->LastFilingDay(event, n);
      ASSERT_TRUE(last.ok()) << event << " " << last.status();
      ASSERT_LT(*last, event);
      EXPECT_TRUE(Works(*last)) << event;
      int working = 0;
      for (absl::CivilDay d = *last; d < event; ++d) working += Works(d) ? 1 : 0;
      EXPECT_EQ(working, n) << event;
      EXPECT_LE(event - *last, 31) << "10 working days never need more than a few weeks";
    }
  }
}

TEST_F(CalendarTest, TheYearAfterTheLastOneHeldIsRefused) {
  const absl::civil_year_t m = MissingYear();
  const std::string name = absl::StrCat(m);
  ExpectYearMissing(calendar_->IsWorkday(absl::CivilDay(m, 3, 15)).status(), name, *calendar_);
  ExpectYearMissing(calendar_->LastFilingDay(absl::CivilDay(m, 3, 15)).status(), name, *calendar_);
  // Counting back from the 2nd of January looks at the 1st of that year first: refused.
  ExpectYearMissing(calendar_->LastFilingDay(absl::CivilDay(m, 1, 2)).status(), name, *calendar_);
}

TEST_F(CalendarTest, FarYearsAreMissingNotWrappedAround) {
  // 2025 + 2^32 would read as 2025 if the year were narrowed to 32 bits.
  const absl::civil_year_t far = 2025 + (absl::civil_year_t{1} << 32);
  EXPECT_EQ(ReasonOf(calendar_->IsWorkday(absl::CivilDay(far, 3, 17)).status()),
            "CALENDAR_YEAR_MISSING");
  EXPECT_EQ(ReasonOf(calendar_->IsWorkday(Day(1, 1, 1)).status()), "CALENDAR_YEAR_MISSING");
}

TEST_F(CalendarTest, EventOnNewYearOfMissingYearOnlyLooksAtKnownDays) {
  // The event date itself is not counted, so an event on the 1st of January of the missing
  // year needs only the days of the last year held.
  const absl::CivilDay event(MissingYear(), 1, 1);
  absl::StatusOr<absl::CivilDay> last = calendar_->LastFilingDay(event);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->year(), MissingYear() - 1);
  EXPECT_TRUE(Works(*last));
  int working = 0;
  for (absl::CivilDay d = *last; d < event; ++d) working += Works(d) ? 1 : 0;
  EXPECT_EQ(working, 10);
}

TEST_F(CalendarTest, CountingBackFromJanuary2025IntoMissing2024IsRefused) {
  ExpectYearMissing(calendar_->IsWorkday(Day(2024, 12, 31)).status(), "2024", *calendar_);
  // 2025-01-10: Jan 2-9 give 6 working days; the rest would be in December 2024.
  ExpectYearMissing(calendar_->LastFilingDay(Day(2025, 1, 10)).status(), "2024", *calendar_);
  // Enough working days in January: no 2024 look-up.
  EXPECT_EQ(*calendar_->LastFilingDay(Day(2025, 1, 17)), Day(2025, 1, 3));
}

TEST_F(CalendarTest, WorkingDaysBelowOneIsBadInput) {
  for (int n : {0, -3}) {
    absl::Status status = calendar_->LastFilingDay(Day(2025, 3, 17), n).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    ASSERT_EQ(ViolationsOf(status).size(), 1u);
    EXPECT_EQ(ViolationsOf(status)[0].field, "working_days");
  }
}

// --- file validation ---

constexpr absl::string_view kHeader = "date\tkind\tname\n";

void ExpectInvalid(absl::string_view tsv, absl::string_view fragment) {
  absl::StatusOr<WorkdayCalendar> parsed = WorkdayCalendar::Parse(tsv, "test.tsv");
  ASSERT_FALSE(parsed.ok()) << tsv;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(parsed.status()), "REFERENCE_DATA_INVALID");
  EXPECT_NE(parsed.status().message().find(fragment), absl::string_view::npos) << parsed.status();
  EXPECT_FALSE(ChineseOf(parsed.status()).empty());
}

TEST(CalendarFileTest, AcceptsAMinimalFile) {
  absl::StatusOr<WorkdayCalendar> parsed = WorkdayCalendar::Parse(
      "date\tkind\tname\n2025-01-01\tHOLIDAY\t元旦\n2025-01-26\tWORKDAY\t春节\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(*parsed->IsWorkday(Day(2025, 1, 1)));
  EXPECT_TRUE(*parsed->IsWorkday(Day(2025, 1, 26)));
  EXPECT_TRUE(*parsed->IsWorkday(Day(2025, 1, 2)));
}

TEST(CalendarFileTest, RejectsUnsortedRows) {
  ExpectInvalid(absl::StrCat(kHeader, "2025-02-01\tHOLIDAY\tx\n2025-01-01\tHOLIDAY\ty\n"),
                "test.tsv:3: date 2025-01-01 comes after 2025-02-01");
}

TEST(CalendarFileTest, RejectsDuplicateDates) {
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tHOLIDAY\tx\n2025-01-01\tHOLIDAY\ty\n"),
                "appears twice");
}

TEST(CalendarFileTest, RejectsWorkdayOnAWeekday) {
  // 2025-01-27 is a Monday.
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-27\tWORKDAY\t春节\n"), "not a Saturday or Sunday");
}

TEST(CalendarFileTest, RejectsUnknownKind) {
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tholiday\t元旦\n"), "unknown kind");
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tHALFDAY\t元旦\n"), "unknown kind");
}

TEST(CalendarFileTest, RejectsBadDatesHeaderAndShape) {
  ExpectInvalid(absl::StrCat(kHeader, "2025-02-30\tHOLIDAY\tx\n"), "2025-02-30");
  ExpectInvalid(absl::StrCat(kHeader, "2025-1-01\tHOLIDAY\tx\n"), "2025-1-01");
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tHOLIDAY\n"), "test.tsv:2");
  ExpectInvalid("day\tkind\tname\n2025-01-01\tHOLIDAY\tx\n", "header");
  ExpectInvalid(kHeader, "no calendar rows");
  ExpectInvalid("", "empty");
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tHOLIDAY\tx\r\n"), "CR");
  ExpectInvalid(absl::StrCat(kHeader, "2025-01-01\tHOLIDAY\tx\n2205-01-01\tHOLIDAY\tx\n"),
                "span more than");
}

TEST(CalendarFileTest, GapYearIsMissing) {
  absl::StatusOr<WorkdayCalendar> parsed = WorkdayCalendar::Parse(
      absl::StrCat(kHeader, "2025-01-01\tHOLIDAY\t元旦\n2027-01-01\tHOLIDAY\t元旦\n"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->first_year(), 2025);
  EXPECT_EQ(parsed->last_year(), 2027);
  EXPECT_FALSE(parsed->HasYear(2026));
  absl::Status status = parsed->IsWorkday(Day(2026, 6, 1)).status();
  EXPECT_EQ(ReasonOf(status), "CALENDAR_YEAR_MISSING");
  EXPECT_TRUE(parsed->IsWorkday(Day(2027, 6, 1)).ok());
}

TEST(CalendarFileTest, CoveredUntilStopsAtTheFirstMissingYearFromToday) {
  absl::StatusOr<WorkdayCalendar> parsed =
      WorkdayCalendar::Parse(absl::StrCat(kHeader,
                                          "2025-01-01\tHOLIDAY\t元旦\n2027-01-01\tHOLIDAY\t元旦\n"
                                          "2028-01-01\tHOLIDAY\t元旦\n"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->CoveredUntil(Day(2025, 12, 31)), Day(2026, 1, 1));  // 2026 is a gap
  EXPECT_EQ(parsed->CoveredUntil(Day(2026, 3, 1)), Day(2026, 1, 1));    // today's year missing
  EXPECT_EQ(parsed->CoveredUntil(Day(2027, 1, 1)), Day(2029, 1, 1));    // 2027 and 2028 held
  EXPECT_EQ(parsed->CoveredUntil(Day(2024, 6, 1)), Day(2024, 1, 1));    // before the first year
}

TEST(CalendarFileTest, MissingFileIsNotFound) {
  absl::Status status = WorkdayCalendar::Load("/nonexistent/cn-workdays.tsv").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(status), "REFERENCE_DATA_MISSING");
}

}  // namespace
}  // namespace zhigai::calendar
