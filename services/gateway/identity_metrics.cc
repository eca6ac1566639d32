#include "services/gateway/identity_metrics.h"

#include <utility>
#include <vector>

#include "libs/server/scraped_gauges.h"
#include "services/gateway/authn.h"
#include "services/gateway/jwt.h"

namespace zhigai::gateway {

std::shared_ptr<prometheus::Collectable> IdentityMetrics(
    JwksFile* jwks, std::map<std::string, absl::Time> certificate_expiry) {
  std::vector<server::ScrapedGauge> gauges;
  if (!certificate_expiry.empty()) {
    gauges.push_back({"zhigai_gateway_certificate_expiry_timestamp_seconds",
                      "earliest notAfter of the gateway's TLS certificate chain (server) and of "
                      "its client CA bundle (client_ca)",
                      [expiry = std::move(certificate_expiry)] {
                        std::vector<server::GaugeSample> out;
                        for (const auto& [which, when] : expiry) {
                          out.push_back({absl::ToDoubleSeconds(when - absl::UnixEpoch()),
                                         {{"certificate", which}}});
                        }
                        return out;
                      }});
  }
  if (jwks != nullptr) {
    // Current() re-reads a changed file, so a scrape also notices a broken rotation.
    gauges.push_back(server::OneValue(
        "zhigai_gateway_jwks_keys", "usable signing keys in the identity provider's JWKS", [jwks] {
          auto keys = jwks->Current();
          return keys ? static_cast<double>(keys->size()) : 0.0;
        }));
    gauges.push_back(server::OneValue("zhigai_gateway_jwks_reload_failing",
                                      "1 while the JWKS file has changed but does not load (the "
                                      "keys loaded before stay in use)",
                                      [jwks] { return jwks->reload_failing() ? 1.0 : 0.0; }));
  }
  return server::ScrapedGauges(std::move(gauges));
}

}  // namespace zhigai::gateway
