#include "services/training/calendar_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

#include "libs/core/dates.h"
#include "services/training/calendar_source.h"

namespace zhigai::training {
namespace {

prometheus::MetricFamily Gauge(const char* name, const char* help, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(metric);
  return family;
}

class CalendarCollectable : public prometheus::Collectable {
 public:
  CalendarCollectable(CalendarSource& source, std::function<absl::Time()> business_now)
      : source_(source), business_now_(std::move(business_now)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const CalendarSnapshot snapshot = source_.Current();
    const absl::CivilDay until =
        snapshot.calendar->CoveredUntil(core::BusinessDayOf(business_now_()));
    static const absl::TimeZone kWenzhou = absl::FixedTimeZone(8 * 60 * 60);
    return {
        Gauge("zhigai_calendar_covered_until_timestamp_seconds",
              "00:00 Asia/Shanghai of the first day from the business date on that the work-day "
              "calendar holds no year for (R13.4 filings then refused CALENDAR_YEAR_MISSING)",
              absl::ToDoubleSeconds(absl::FromCivil(until, kWenzhou) - absl::UnixEpoch())),
        Gauge("zhigai_calendar_last_year", "the last year the work-day calendar file holds",
              snapshot.calendar->last_year()),
    };
  }

 private:
  CalendarSource& source_;
  std::function<absl::Time()> business_now_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> CalendarMetrics(CalendarSource& source,
                                                         std::function<absl::Time()> business_now) {
  return std::make_shared<CalendarCollectable>(source, std::move(business_now));
}

}  // namespace zhigai::training
