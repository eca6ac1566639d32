#include "services/gateway/identity_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

#include "services/gateway/authn.h"
#include "services/gateway/jwt.h"

namespace zhigai::gateway {
namespace {

prometheus::MetricFamily GaugeFamily(const char* name, const char* help) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  return family;
}

void AddValue(prometheus::MetricFamily& family, double value,
              std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

class IdentityCollectable : public prometheus::Collectable {
 public:
  IdentityCollectable(JwksFile* jwks, std::map<std::string, absl::Time> expiry)
      : jwks_(jwks), expiry_(std::move(expiry)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    if (!expiry_.empty()) {
      auto family = GaugeFamily("zhigai_gateway_certificate_expiry_timestamp_seconds",
                                "earliest notAfter of the gateway's TLS certificate chain "
                                "(server) and of its client CA bundle (client_ca)");
      for (const auto& [which, when] : expiry_) {
        AddValue(family, absl::ToDoubleSeconds(when - absl::UnixEpoch()), {{"certificate", which}});
      }
      out.push_back(std::move(family));
    }
    if (jwks_ != nullptr) {
      // Current() re-reads a changed file, so a scrape also notices a broken rotation.
      auto keys = jwks_->Current();
      auto count = GaugeFamily("zhigai_gateway_jwks_keys",
                               "usable signing keys in the identity provider's JWKS");
      AddValue(count, keys ? static_cast<double>(keys->size()) : 0);
      out.push_back(std::move(count));
      auto failing = GaugeFamily("zhigai_gateway_jwks_reload_failing",
                                 "1 while the JWKS file has changed but does not load (the "
                                 "keys loaded before stay in use)");
      AddValue(failing, jwks_->reload_failing() ? 1 : 0);
      out.push_back(std::move(failing));
    }
    return out;
  }

 private:
  JwksFile* jwks_;
  std::map<std::string, absl::Time> expiry_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> IdentityMetrics(
    JwksFile* jwks, std::map<std::string, absl::Time> certificate_expiry) {
  return std::make_shared<IdentityCollectable>(jwks, std::move(certificate_expiry));
}

}  // namespace zhigai::gateway
