#include "libs/wire/typed_time.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"

namespace zhigai::wire {
namespace {

constexpr absl::string_view kRule = "FORMAT";

bool IsMissing(const Date& d) { return d.year() == 0 && d.month() == 0 && d.day() == 0; }

}  // namespace

Date ToDate(absl::CivilDay day) {
  Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

absl::StatusOr<absl::CivilDay> ParseDate(const Date& date, absl::string_view field) {
  if (IsMissing(date)) {
    return InvalidField(field, kRule,
                        "is missing: a full date (year, month and day; YYYY-MM-DD in JSON)",
                        absl::StrCat(field, "：缺少日期（年、月、日；JSON 中写作 YYYY-MM-DD）"));
  }
  // CivilDay normalises 02-30 to 03-02: a date exists iff it survives unchanged.
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || day.month() != date.month() || day.day() != date.day()) {
    return InvalidField(field, kRule, absl::StrCat("is not a calendar date (", DateText(date), ")"),
                        absl::StrCat(field, "：日期不存在（", DateText(date), "）"));
  }
  return day;
}

absl::StatusOr<absl::CivilDay> ParseBusinessDate(const Date& date, absl::string_view field) {
  absl::StatusOr<absl::CivilDay> day = ParseDate(date, field);
  if (!day.ok()) return day;
  if (absl::Status range = core::CheckYearRange(*day, field); !range.ok()) return range;
  return day;
}

std::string DateText(const Date& date) {
  if (IsMissing(date)) return "";
  const int y = date.year(), m = date.month(), d = date.day();
  // Bulk intake formats three dates per record: the common shape skips StrFormat.
  if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99) {
    return absl::StrFormat("%04d-%02d-%02d", y, m, d);
  }
  char text[10] = {static_cast<char>('0' + y / 1000),
                   static_cast<char>('0' + y / 100 % 10),
                   static_cast<char>('0' + y / 10 % 10),
                   static_cast<char>('0' + y % 10),
                   '-',
                   static_cast<char>('0' + m / 10),
                   static_cast<char>('0' + m % 10),
                   '-',
                   static_cast<char>('0' + d / 10),
                   static_cast<char>('0' + d % 10)};
  return std::string(text, sizeof text);
}

std::optional<Date> DateFromText(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = core::ParseDate(text, "date");
  if (!day.ok()) return std::nullopt;
  return ToDate(*day);
}

std::optional<Date> DateFromShapedText(absl::string_view text) {
  auto digits = [&](size_t at, size_t n, int* value) {
    *value = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      *value = *value * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(0, 4, &y) ||
      !digits(5, 2, &m) || !digits(8, 2, &d)) {
    return std::nullopt;
  }
  Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

absl::StatusOr<int> ParseMinutes(const TimeOfDay& time, absl::string_view field) {
  const bool end_of_day = time.hours() == 24 && time.minutes() == 0;
  if (time.seconds() != 0 || time.nanos() != 0 || time.hours() < 0 || time.minutes() < 0 ||
      time.minutes() > 59 || (time.hours() > 23 && !end_of_day)) {
    return InvalidField(
        field, kRule,
        absl::StrCat("must be a time of day in whole minutes, 00:00 to 24:00 (HH:MM in JSON); ",
                     "got ", time.hours(), ":", time.minutes(), ":", time.seconds(), ".",
                     time.nanos()),
        absl::StrCat(field, "：时间应为整分钟，00:00 至 24:00（JSON 中写作 HH:MM）"));
  }
  return time.hours() * 60 + time.minutes();
}

TimeOfDay ToTimeOfDay(int minutes) {
  TimeOfDay out;
  out.set_hours(minutes / 60);
  out.set_minutes(minutes % 60);
  return out;
}

std::string TimeOfDayText(const TimeOfDay& time) {
  return absl::StrFormat("%02d:%02d", time.hours(), time.minutes());
}

Timestamp ToTimestamp(absl::Time t) {
  const int64_t micros = absl::ToUnixMicros(t);
  Timestamp out;
  // Floor division keeps nanos in [0, 1e9) for instants before 1970 too.
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest * 1000));
  return out;
}

absl::Time FromTimestamp(const Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::optional<Timestamp> TimestampFromText(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  return ToTimestamp(t);
}

std::string TimestampText(const Timestamp& t) { return core::FormatTimestamp(FromTimestamp(t)); }

}  // namespace zhigai::wire
