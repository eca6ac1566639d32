// The work-day calendar of RULES.md R13.4: mainland China's public holidays and adjusted
// working days (调休上班), loaded at runtime from data/cn-workdays.tsv (format in
// data/README.md). A day is a working day iff it is not a HOLIDAY and it is Monday-Friday
// or a WORKDAY row.
//
// The calendar only answers for the years it holds: a date in a year with no rows (before
// the first year, after the last, or a gap between) is refused with FAILED_PRECONDITION,
// reason CALENDAR_YEAR_MISSING, never guessed as plain Monday-Friday; the State Council
// publishes each year's arrangement in the November before, and operators add it to the
// file and reload.
#pragma once

#include <bitset>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::calendar {

class WorkdayCalendar {
 public:
  // Reads and validates the TSV file at `path` (read with core::ReadTsv, so the errors match
  // the other reference data files). Errors: NOT_FOUND (reason REFERENCE_DATA_MISSING) when
  // the file cannot be read; FAILED_PRECONDITION (reason REFERENCE_DATA_INVALID, message
  // "<path>:<line>: <problem>") for a bad header or line, a bad date, an unknown kind,
  // unsorted or duplicate dates, a WORKDAY row that is not a Saturday or Sunday, or no rows.
  static absl::StatusOr<WorkdayCalendar> Load(absl::string_view path);

  // Same validation on the file's contents; `source` names it in error messages.
  static absl::StatusOr<WorkdayCalendar> Parse(absl::string_view tsv,
                                               absl::string_view source = "<memory>");

  // O(1): one bit look-up. CALENDAR_YEAR_MISSING when `day`'s year is not in the calendar.
  absl::StatusOr<bool> IsWorkday(absl::CivilDay day) const;

  // R13.4: counts back `working_days` working days from `event_date`, the event date itself
  // not counted; the day reached is the last day to file. The event date's own year need not
  // be in the calendar (it is not looked up), but every day stepped over must be, so counting
  // back from early January into a missing year is CALENDAR_YEAR_MISSING.
  // INVALID_ARGUMENT when working_days < 1.
  absl::StatusOr<absl::CivilDay> LastFilingDay(absl::CivilDay event_date,
                                               int working_days = 10) const;

  int first_year() const { return first_year_; }
  int last_year() const { return first_year_ + static_cast<int>(years_.size()) - 1; }
  // False for a gap year between first_year() and last_year() with no rows.
  bool HasYear(absl::civil_year_t year) const;

  // The first day from `today` on that the calendar cannot answer for: 1 January of the first
  // year, counting from today's own, with no rows (today's 1 January when its year is missing).
  // Operations alert when it comes within 60 days (k8s/components/monitoring/alerts.yml).
  absl::CivilDay CoveredUntil(absl::CivilDay today) const;

 private:
  // Bit (day of year - 1) is set for a working day.
  using YearBits = std::bitset<366>;
  struct Year {
    bool present = false;
    YearBits workdays;
  };

  WorkdayCalendar() = default;
  static absl::StatusOr<WorkdayCalendar> FromRows(const std::vector<std::vector<std::string>>& tsv,
                                                  absl::string_view source);
  absl::Status MissingYear(absl::civil_year_t year) const;

  std::string source_;
  int first_year_ = 0;
  std::vector<Year> years_;  // index: year - first_year_
};

}  // namespace zhigai::calendar
