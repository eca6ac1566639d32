#include "libs/calendar/workday_calendar.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/tsv.h"

namespace zhigai::calendar {
namespace {

constexpr absl::string_view kRule = "R13.4";
// A file spanning more years than this is a typo (e.g. 2205 for 2025), not a calendar.
constexpr int kMaxYearSpan = 100;

enum class Kind { kHoliday, kWorkday };

struct Row {
  absl::CivilDay date;
  Kind kind;
};

const std::vector<std::string>& Header() {
  static const auto* header = new std::vector<std::string>{"date", "kind", "name"};
  return *header;
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
}

// The TSV shape (header, columns, encoding, line ends) is checked by core::ParseTsv; this
// checks what the rows mean. Data row i is on line i + 2 (the header is line 1 and the reader
// refuses empty lines).
absl::StatusOr<std::vector<Row>> ParseRows(const core::TsvRows& tsv, absl::string_view source) {
  std::vector<Row> rows;
  rows.reserve(tsv.size());
  for (size_t i = 0; i < tsv.size(); ++i) {
    const size_t line = i + 2;
    const std::string& date = tsv[i][0];
    const std::string& kind = tsv[i][1];
    Row row;
    absl::StatusOr<absl::CivilDay> parsed = core::ParseDate(date, "date");
    if (!parsed.ok()) {
      return core::TsvError(source, line,
                            absl::StrCat("date \"", date, "\" is not a valid YYYY-MM-DD date"));
    }
    row.date = *parsed;
    if (kind == "HOLIDAY") {
      row.kind = Kind::kHoliday;
    } else if (kind == "WORKDAY") {
      row.kind = Kind::kWorkday;
    } else {
      return core::TsvError(
          source, line, absl::StrCat("unknown kind \"", kind, "\", expected HOLIDAY or WORKDAY"));
    }
    if (row.kind == Kind::kWorkday && !IsWeekend(row.date)) {
      return core::TsvError(source, line,
                            absl::StrCat("WORKDAY ", date,
                                         " is not a Saturday or Sunday (Monday-Friday already "
                                         "works)"));
    }
    if (!rows.empty() && row.date <= rows.back().date) {
      if (row.date == rows.back().date) {
        return core::TsvError(source, line, absl::StrCat("date ", date, " appears twice"));
      }
      return core::TsvError(
          source, line,
          absl::StrCat("date ", date, " comes after ", core::FormatDate(rows.back().date),
                       "; keep the file sorted by date"));
    }
    rows.push_back(row);
  }
  if (rows.empty()) return core::TsvError(source, 1, "no calendar rows after the header");
  if (rows.back().date.year() - rows.front().date.year() >= kMaxYearSpan) {
    return core::TsvError(
        source, tsv.size() + 1,
        absl::StrCat("the dates span more than ", kMaxYearSpan, " years; check the year"));
  }
  return rows;
}

}  // namespace

absl::StatusOr<WorkdayCalendar> WorkdayCalendar::Load(absl::string_view path) {
  absl::StatusOr<core::TsvRows> tsv = core::ReadTsv(path, Header());
  if (!tsv.ok()) return tsv.status();
  return FromRows(*tsv, path);
}

absl::StatusOr<WorkdayCalendar> WorkdayCalendar::Parse(absl::string_view tsv,
                                                       absl::string_view source) {
  absl::StatusOr<core::TsvRows> rows = core::ParseTsv(tsv, source, Header());
  if (!rows.ok()) return rows.status();
  return FromRows(*rows, source);
}

absl::StatusOr<WorkdayCalendar> WorkdayCalendar::FromRows(const core::TsvRows& tsv,
                                                          absl::string_view source) {
  absl::StatusOr<std::vector<Row>> rows = ParseRows(tsv, source);
  if (!rows.ok()) return rows.status();

  WorkdayCalendar calendar;
  calendar.source_ = std::string(source);
  calendar.first_year_ = static_cast<int>(rows->front().date.year());
  calendar.years_.resize(rows->back().date.year() - calendar.first_year_ + 1);

  for (const Row& row : *rows) {
    Year& year = calendar.years_[row.date.year() - calendar.first_year_];
    if (!year.present) {
      // First row of this year: start from plain Monday-Friday, then apply the rows.
      year.present = true;
      const absl::CivilYear y(row.date.year());
      for (absl::CivilDay d(y); absl::CivilYear(d) == y; ++d) {
        if (!IsWeekend(d)) year.workdays.set(absl::GetYearDay(d) - 1);
      }
    }
    year.workdays.set(absl::GetYearDay(row.date) - 1, row.kind == Kind::kWorkday);
  }
  return calendar;
}

bool WorkdayCalendar::HasYear(absl::civil_year_t year) const {
  return year >= first_year_ && year <= last_year() && years_[year - first_year_].present;
}

absl::CivilDay WorkdayCalendar::CoveredUntil(absl::CivilDay today) const {
  absl::civil_year_t year = today.year();
  while (HasYear(year)) ++year;
  return absl::CivilDay(year, 1, 1);
}

absl::Status WorkdayCalendar::MissingYear(absl::civil_year_t year) const {
  // The file's path stays in the service's log (it is logged when the calendar is loaded):
  // a client is told which years are held, never where the server keeps them.
  std::vector<std::string> held;
  for (int y = first_year_; y <= last_year(); ++y) {
    if (HasYear(y)) held.push_back(absl::StrCat(y));
  }
  const std::string years = absl::StrJoin(held, ", ");
  return RuleViolation(
      "CALENDAR_YEAR_MISSING", kRule,
      absl::StrCat("the work-day calendar has no holiday arrangement for ", year, " (it holds ",
                   years,
                   "); working days of that year cannot be counted until an operator adds the "
                   "State Council's holiday notice for it and reloads the calendar"),
      absl::StrCat("工作日历缺少 ", year, " 年的节假日安排（现有 ", absl::StrJoin(held, "、"),
                   " 年），请运维人员按国务院办公厅通知补充该年数据后重新加载日历"));
}

absl::StatusOr<bool> WorkdayCalendar::IsWorkday(absl::CivilDay day) const {
  const absl::civil_year_t year = day.year();  // 64-bit: no narrowing before the range check
  if (!HasYear(year)) return MissingYear(year);
  return years_[year - first_year_].workdays.test(absl::GetYearDay(day) - 1);
}

absl::StatusOr<absl::CivilDay> WorkdayCalendar::LastFilingDay(absl::CivilDay event_date,
                                                              int working_days) const {
  if (working_days < 1) {
    return InvalidField("working_days", kRule,
                        absl::StrCat("working_days must be at least 1, got ", working_days),
                        "工作日天数至少为 1");
  }
  // R13.4 Decision: the event date is not counted; the working_days-th working day before it
  // is the last day to file.
  absl::CivilDay day = event_date;
  for (int counted = 0; counted < working_days;) {
    --day;
    absl::StatusOr<bool> works = IsWorkday(day);
    if (!works.ok()) return works.status();
    if (*works) ++counted;
  }
  return day;
}

}  // namespace zhigai::calendar
