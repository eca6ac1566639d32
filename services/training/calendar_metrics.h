// What operations must see of the work-day calendar before it bites (R13.4): how far ahead of
// the business date it answers. Computed at scrape time from the calendar in use, so the gauge
// follows a reloaded file and the business clock without a thread of its own.
#pragma once

#include <functional>
#include <memory>

#include "absl/time/time.h"

namespace prometheus {
class Collectable;
}

namespace zhigai::training {

class CalendarSource;

// zhigai_calendar_covered_until_timestamp_seconds: 00:00 in Wenzhou of the first day, from the
// business date on, that the calendar holds no year for; zhigai_calendar_last_year: the last
// year in the file. `source` must outlive the collectable.
std::shared_ptr<prometheus::Collectable> CalendarMetrics(CalendarSource& source,
                                                         std::function<absl::Time()> business_now);

}  // namespace zhigai::training
