#include "libs/server/scraped_gauges.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace zhigai::server {
namespace {

class Gauges : public prometheus::Collectable {
 public:
  explicit Gauges(std::vector<ScrapedGauge> gauges) : gauges_(std::move(gauges)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    out.reserve(gauges_.size());
    for (const ScrapedGauge& gauge : gauges_) {
      std::vector<GaugeSample> samples = gauge.read();
      if (samples.empty()) continue;
      prometheus::MetricFamily family;
      family.name = gauge.name;
      family.help = gauge.help;
      family.type = prometheus::MetricType::Gauge;
      for (GaugeSample& sample : samples) {
        prometheus::ClientMetric metric;
        for (auto& [name, value] : sample.labels) {
          metric.label.push_back({std::move(name), std::move(value)});
        }
        metric.gauge.value = sample.value;
        family.metric.push_back(std::move(metric));
      }
      out.push_back(std::move(family));
    }
    return out;
  }

 private:
  const std::vector<ScrapedGauge> gauges_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> ScrapedGauges(std::vector<ScrapedGauge> gauges) {
  return std::make_shared<Gauges>(std::move(gauges));
}

}  // namespace zhigai::server
