#include "services/training/calendar_metrics.h"

#include <utility>
#include <vector>

#include "libs/core/dates.h"
#include "libs/server/scraped_gauges.h"
#include "services/training/calendar_source.h"

namespace zhigai::training {
std::shared_ptr<prometheus::Collectable> CalendarMetrics(CalendarSource& source,
                                                         std::function<absl::Time()> business_now) {
  static const absl::TimeZone kWenzhou = absl::FixedTimeZone(8 * 60 * 60);
  return server::ScrapedGauges({
      server::OneValue(
          "zhigai_calendar_covered_until_timestamp_seconds",
          "00:00 Asia/Shanghai of the first day from the business date on that the work-day "
          "calendar holds no year for (R13.4 filings then refused CALENDAR_YEAR_MISSING)",
          [&source, business_now = std::move(business_now)] {
            const absl::CivilDay until =
                source.Current().calendar->CoveredUntil(core::BusinessDayOf(business_now()));
            return absl::ToDoubleSeconds(absl::FromCivil(until, kWenzhou) - absl::UnixEpoch());
          }),
      server::OneValue("zhigai_calendar_last_year",
                       "the last year the work-day calendar file holds",
                       [&source] { return source.Current().calendar->last_year(); }),
  });
}

}  // namespace zhigai::training
