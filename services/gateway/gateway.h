// The gateway: one authenticated, authorised front door. gRPC calls of every shape are
// forwarded as frames (proxy.cc), unary and server-streaming methods also as HTTP/JSON
// (http_json.cc). main.cc and the tests build one from GatewayOptions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/authn.h"
#include "services/gateway/method_table.h"
#include "services/gateway/policy.h"
#include "services/gateway/rate_limit.h"

namespace prometheus {
class Registry;
}

namespace zhigai::gateway {

struct TlsOptions {
  std::string cert_pem;       // the gateway's certificate chain
  std::string key_pem;        // and its key
  std::string client_ca_pem;  // when set: client certificates are requested and verified
};

struct GatewayOptions {
  std::string listen = "127.0.0.1:0";  // gRPC
  std::string http_listen;             // HTTP/JSON ("127.0.0.1:0" for any port; "" = off)
  std::string public_dir;              // the public pages served over HTTP ("" = none)
  std::string internal_proof;          // what backends require with the principal
  Policy policy;
  // Proto files whose zhigai.*.v1 services must all be covered by the policy.
  std::vector<std::string> proto_files;
  BackendOptions backends;
  std::string jwks_file;  // "" = bearer tokens are refused
  AuthnOptions authn;
  RateLimiter rate_limits;
  std::optional<TlsOptions> tls;
  int max_message_bytes = 4 << 20;
  int threads = 2;  // worker threads of the frame proxy, each with its own event loop
  int http_threads = 8;
  // A client connection gets its GOAWAY after about this long (±10 % jitter), so that clients
  // behind a Service re-resolve and spread over the replicas (what
  // GRPC_ARG_MAX_CONNECTION_AGE_MS did); after its GOAWAY it lets its calls finish and closes
  // `aged_idle_close` after the last one ended. Settable for the tests.
  absl::Duration max_connection_age = absl::Minutes(5);
  absl::Duration aged_idle_close = absl::Seconds(5);
  // The frame proxy opens a new connection to a backend for new calls once its connection there
  // is this old: before the backend's own age (zhigai's services: 5 minutes, -10 % jitter at
  // worst), so the backend's GOAWAY never meets a call starting on a busy connection, which it
  // would refuse unprocessed. Settable for the tests.
  absl::Duration backend_connection_age = absl::Minutes(4);
  prometheus::Registry* metrics = nullptr;
};

// The caller and the method, once the gateway has let the call through.
struct Admission {
  MethodInfo* method = nullptr;
  auth::Principal principal;
};

class Proxy;
class HttpJson;
class StaticFiles;

class Gateway {
 public:
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options);
  ~Gateway();
  int port() const { return port_; }
  int http_port() const;
  // Stops taking calls, lets calls in flight finish until the deadline, then cancels the rest.
  void Shutdown(absl::Duration drain);
  void SetServing(bool serving);

  // Authentication, policy and rate limit, in that order (shared by gRPC and HTTP).
  // `method` is the gRPC path; `peer` identifies anonymous callers for rate limiting.
  absl::StatusOr<Admission> Admit(absl::string_view method, absl::string_view authorization,
                                  absl::string_view cert_subject, absl::string_view peer);
  const std::string& internal_proof() const { return options_.internal_proof; }
  Metrics& metrics() { return *metrics_; }
  const MethodTable& methods() const { return *methods_; }
  // The identity provider's keys (null without --jwks_file): for the operations gauges.
  JwksFile* jwks() const;
  int max_message_bytes() const { return options_.max_message_bytes; }
  // Forwarded calls the frame proxy still holds (tests and the frame-proxy fuzzer: none may
  // outlive both of its connections).
  int live_calls() const;

 private:
  explicit Gateway(GatewayOptions options);
  GatewayOptions options_;
  std::unique_ptr<Authenticator> authn_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<MethodTable> methods_;
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<StaticFiles> pages_;
  std::unique_ptr<HttpJson> http_;
  int port_ = 0;
  bool shut_down_ = false;
};

// A fresh request id (when the caller sent none).
std::string NewRequestId();

}  // namespace zhigai::gateway
