#include "libs/core/dates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/errors.h"

namespace zhigai::core {
namespace {

constexpr absl::string_view kRule = "FORMAT";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Number(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text, absl::string_view field) {
  bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (std::size_t i = 0; shaped && i < text.size(); ++i) {
    if (i != 4 && i != 7 && !IsDigit(text[i])) shaped = false;
  }
  if (!shaped) {
    return InvalidField(field, kRule, "must be a date written YYYY-MM-DD, e.g. 2026-03-09",
                        absl::StrCat(field, "：日期格式应为 YYYY-MM-DD，如 2026-03-09"));
  }
  const int year = Number(text.substr(0, 4));
  const int month = Number(text.substr(5, 2));
  const int day = Number(text.substr(8, 2));
  // CivilDay normalises 02-30 to 03-02; a date exists iff it survives unchanged.
  const absl::CivilDay parsed(year, month, day);
  if (month < 1 || month > 12 || day < 1 || parsed.month() != month || parsed.day() != day) {
    return InvalidField(field, kRule, "is not a calendar date (no such month or day)",
                        absl::StrCat(field, "：日期不存在（月份或日期超出范围）"));
  }
  return parsed;
}

bool FormatDateInto(absl::CivilDay day, char (&out)[10]) {
  if (day.year() < 0 || day.year() > 9999) return false;
  auto two = [](char* at, int v) {
    at[0] = static_cast<char>('0' + v / 10);
    at[1] = static_cast<char>('0' + v % 10);
  };
  const int year = static_cast<int>(day.year());
  two(out, year / 100);
  two(out + 2, year % 100);
  out[4] = '-';
  two(out + 5, day.month());
  out[7] = '-';
  two(out + 8, day.day());
  return true;
}

std::string FormatDate(absl::CivilDay day) {
  char text[10];
  if (FormatDateInto(day, text)) return std::string(text, sizeof text);
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::Status CheckYearRange(absl::CivilDay day, absl::string_view field, int min_year,
                            int max_year) {
  if (day.year() >= min_year && day.year() <= max_year) return absl::OkStatus();
  return InvalidField(field, kRule,
                      absl::StrCat("must be a date in the years ", min_year, " to ", max_year),
                      absl::StrCat(field, "：日期应在 ", min_year, " 年至 ", max_year, " 年之间"));
}

absl::StatusOr<absl::CivilDay> ParseBusinessDate(absl::string_view text, absl::string_view field) {
  absl::StatusOr<absl::CivilDay> day = ParseDate(text, field);
  if (!day.ok()) return day;
  if (absl::Status range = CheckYearRange(*day, field); !range.ok()) return range;
  return day;
}

absl::CivilDay BusinessDayOf(absl::Time t) {
  static const absl::TimeZone kShanghai = absl::FixedTimeZone(8 * 60 * 60);
  return absl::ToCivilDay(t, kShanghai);
}

std::string FormatTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

}  // namespace zhigai::core
