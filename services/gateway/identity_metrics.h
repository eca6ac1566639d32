// Gauges an on-call person needs before callers are locked out: when the gateway's TLS
// certificate (and the client CA) expire, and whether the identity provider's key set is loaded.
// Computed at scrape time; the alerts are in k8s/components/monitoring/alerts.yml.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace prometheus {
class Collectable;
}

namespace zhigai::gateway {

class JwksFile;

// `certificate_expiry`: "server" / "client_ca" → the earliest notAfter of that PEM bundle.
// `jwks` may be null (no bearer tokens accepted); it must outlive the collectable.
std::shared_ptr<prometheus::Collectable> IdentityMetrics(
    JwksFile* jwks, std::map<std::string, absl::Time> certificate_expiry);

}  // namespace zhigai::gateway
