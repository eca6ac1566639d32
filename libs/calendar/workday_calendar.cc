#include "libs/calendar/workday_calendar.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/errors.h"

namespace zhigai::calendar {
namespace {

constexpr absl::string_view kRule = "R13.4";
constexpr absl::string_view kHeader = "date\tkind\tname";
// A file spanning more years than this is a typo (e.g. 2205 for 2025), not a calendar.
constexpr int kMaxYearSpan = 100;

enum class Kind { kHoliday, kWorkday };

struct Row {
  absl::CivilDay date;
  Kind kind;
};

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
}

absl::Status FileError(absl::string_view source, int line, absl::string_view what,
                       absl::string_view chinese_what) {
  // line 0: a finding about the whole file rather than one row.
  const std::string where = line > 0 ? absl::StrCat(" line ", line) : std::string();
  const std::string where_zh = line > 0 ? absl::StrCat(" 第 ", line, " 行") : std::string();
  return Error(absl::StatusCode::kInvalidArgument, "CALENDAR_FILE_INVALID",
               absl::StrCat("work-day calendar ", source, where, ": ", what, " (", kRule, ")"),
               absl::StrCat("工作日历文件 ", source, where_zh, "：", chinese_what), kRule);
}

// Strict YYYY-MM-DD: absl's parser also accepts unpadded or out-of-range fields (normalising
// 2025-02-30 to March), so the text must round-trip exactly.
bool ParseDate(absl::string_view text, absl::CivilDay* out) {
  if (text.size() != 10) return false;
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return false;
  if (absl::FormatCivilTime(day) != text) return false;
  *out = day;
  return true;
}

absl::StatusOr<std::vector<Row>> ParseRows(absl::string_view tsv, absl::string_view source) {
  std::vector<Row> rows;
  int line_no = 0;
  bool header_seen = false;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_no;
    absl::ConsumeSuffix(&line, "\r");  // tolerate a file saved with CRLF line ends
    if (line.empty()) continue;
    if (!header_seen) {
      if (line != kHeader) {
        return FileError(source, line_no, "the header must be: date<TAB>kind<TAB>name",
                         "表头应为 date、kind、name 三列（以制表符分隔）");
      }
      header_seen = true;
      continue;
    }
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() != 3) {
      return FileError(source, line_no, absl::StrCat("expected 3 fields, found ", fields.size()),
                       "每行应有 3 列");
    }
    Row row;
    if (!ParseDate(fields[0], &row.date)) {
      return FileError(source, line_no,
                       absl::StrCat("date '", fields[0], "' is not a valid YYYY-MM-DD date"),
                       "日期格式应为 YYYY-MM-DD 且为有效日期");
    }
    if (fields[1] == "HOLIDAY") {
      row.kind = Kind::kHoliday;
    } else if (fields[1] == "WORKDAY") {
      row.kind = Kind::kWorkday;
    } else {
      return FileError(source, line_no,
                       absl::StrCat("unknown kind '", fields[1], "' (HOLIDAY or WORKDAY)"),
                       "类型只能是 HOLIDAY 或 WORKDAY");
    }
    if (row.kind == Kind::kWorkday && !IsWeekend(row.date)) {
      return FileError(source, line_no,
                       absl::StrCat("WORKDAY ", fields[0],
                                    " is not a Saturday or Sunday; Monday-Friday already works"),
                       "调休上班日必须是周六或周日");
    }
    if (!rows.empty() && row.date <= rows.back().date) {
      if (row.date == rows.back().date) {
        return FileError(source, line_no, absl::StrCat("date ", fields[0], " appears twice"),
                         "日期重复");
      }
      return FileError(
          source, line_no,
          absl::StrCat("date ", fields[0], " is not after the previous row's ",
                       absl::FormatCivilTime(rows.back().date), "; keep the file sorted by date"),
          "文件须按日期升序排列");
    }
    rows.push_back(row);
  }
  if (rows.empty()) {
    return FileError(source, 0, "no calendar rows", "日历文件没有数据行");
  }
  return rows;
}

}  // namespace

absl::StatusOr<WorkdayCalendar> WorkdayCalendar::Load(absl::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return Error(absl::StatusCode::kNotFound, "CALENDAR_FILE_UNREADABLE",
                 absl::StrCat("cannot read the work-day calendar file ", path),
                 absl::StrCat("无法读取工作日历文件 ", path), kRule);
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return Parse(contents.str(), path);
}

absl::StatusOr<WorkdayCalendar> WorkdayCalendar::Parse(absl::string_view tsv,
                                                       absl::string_view source) {
  absl::StatusOr<std::vector<Row>> rows = ParseRows(tsv, source);
  if (!rows.ok()) return rows.status();

  WorkdayCalendar calendar;
  calendar.source_ = std::string(source);
  calendar.first_year_ = static_cast<int>(rows->front().date.year());
  const int last = static_cast<int>(rows->back().date.year());
  if (last - calendar.first_year_ >= kMaxYearSpan) {
    return FileError(source, 0,
                     absl::StrCat("years ", calendar.first_year_, "-", last, " span more than ",
                                  kMaxYearSpan, " years"),
                     "年份跨度过大，请检查日期");
  }
  calendar.years_.resize(last - calendar.first_year_ + 1);

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

bool WorkdayCalendar::HasYear(int year) const {
  return year >= first_year_ && year <= last_year() && years_[year - first_year_].present;
}

absl::Status WorkdayCalendar::MissingYear(int year) const {
  return RuleViolation(
      "CALENDAR_YEAR_MISSING", kRule,
      absl::StrCat("the work-day calendar has no holiday arrangement for ", year, " (it covers ",
                   first_year_, "-", last_year(),
                   "); an operator must add that year's State Council holiday notice to ", source_,
                   " and reload the service"),
      absl::StrCat("工作日历缺少 ", year, " 年的节假日安排（现有 ", first_year_, "-", last_year(),
                   " 年），请运维人员按国务院办公厅通知在日历文件 ", source_,
                   " 中补充该年数据后重新加载"));
}

absl::StatusOr<bool> WorkdayCalendar::IsWorkday(absl::CivilDay day) const {
  const int year = static_cast<int>(day.year());
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
    if (counted > 0) --day;
    absl::StatusOr<bool> works = IsWorkday(day);
    if (!works.ok()) return works.status();
    if (*works) ++counted;
  }
  return day;
}

}  // namespace zhigai::calendar
