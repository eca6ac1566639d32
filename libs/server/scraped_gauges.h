// Gauges read when Prometheus scrapes, from the state they report (the business clock, the
// work-day calendar in use, the gateway's certificates and key set): computed at that moment,
// they cannot disagree with it, and need no thread of their own to keep them fresh.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace prometheus {
class Collectable;
}

namespace zhigai::server {

struct GaugeSample {
  double value = 0;
  std::vector<std::pair<std::string, std::string>> labels = {};
};

struct ScrapedGauge {
  std::string name;
  std::string help;
  // Called on the scraping thread at each scrape; it must be thread-safe and quick. No samples
  // leaves the family out of that scrape.
  std::function<std::vector<GaugeSample>()> read;
};

// One unlabelled sample.
inline ScrapedGauge OneValue(std::string name, std::string help, std::function<double()> read) {
  return {std::move(name), std::move(help),
          [read = std::move(read)] { return std::vector<GaugeSample>{{read()}}; }};
}

// Register the result with the process's exposer (HostContext::collectables for a service).
std::shared_ptr<prometheus::Collectable> ScrapedGauges(std::vector<ScrapedGauge> gauges);

}  // namespace zhigai::server
