// Business dates as text, "YYYY-MM-DD" (local dates, Asia/Shanghai): the form of data files,
// SQL date parameters, logs and messages. The API carries google.type.Date (libs/wire).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace zhigai::core {

// The years the system plans for (calls, events, evaluations). Historic facts such as a
// founding date may lie earlier and are only checked by ParseDate.
inline constexpr int kMinBusinessYear = 2000;
inline constexpr int kMaxBusinessYear = 2100;

// Parses exactly "YYYY-MM-DD": four-digit year, two-digit month and day, a date that exists
// (2026-02-30 and 2025-02-29 are refused), nothing before or after.
// InvalidField(field, "FORMAT", ...) otherwise.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text, absl::string_view field);

// "YYYY-MM-DD" with a four-digit year (years 0-9999; others are never produced by ParseDate).
std::string FormatDate(absl::CivilDay day);
// The same into `out` without allocating, for years 0..9999 (all a validator accepts); false,
// with `out` untouched, for any other year. Bulk intake formats dates per record.
bool FormatDateInto(absl::CivilDay day, char (&out)[10]);

// InvalidField(field, "FORMAT", ...) unless min_year <= year(day) <= max_year.
absl::Status CheckYearRange(absl::CivilDay day, absl::string_view field,
                            int min_year = kMinBusinessYear, int max_year = kMaxBusinessYear);

// ParseDate followed by CheckYearRange with the business years.
absl::StatusOr<absl::CivilDay> ParseBusinessDate(absl::string_view text, absl::string_view field);

// The business date (Asia/Shanghai) at instant `t`. China keeps UTC+8 all year, so a fixed
// zone is exact and needs no tz database in the container; the machine's own zone (usually
// UTC, a day behind from 16:00 to 24:00) never enters.
absl::CivilDay BusinessDayOf(absl::Time t);

// RFC 3339 in UTC with microseconds ("2026-11-26T08:00:00.000001Z"): the text form of every
// timestamp the services store and log, so that text order is time order.
std::string FormatTimestamp(absl::Time t);

}  // namespace zhigai::core
