// The gRPC side of the gateway: an HTTP/2 frame proxy (nghttp2 on epoll, one event loop per
// worker thread). Each call is admitted from its headers (Gateway::Admit), its headers are
// rewritten (credentials and forged identities out, the verified principal, the internal
// proof and the request id in) and then its DATA frames pass through in both directions
// without a message being decoded, with HTTP/2 flow control end to end. Deadlines
// (grpc-timeout), cancellation (RST_STREAM), metadata and status travel both ways.
//
// Why not gRPC's own generic API (the first version): each forwarded call then cost the proxy
// a write of its own towards the backend and another towards the client, and the backend and
// the client, fed one call per wake-up, spent more CPU per call than when called directly. The
// frame proxy writes each connection once per turn of its loop, carrying every call that
// became ready in that turn (docs/benchmarks.md, issue 8).
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/tls_context.h"

namespace grpc {
class Server;
}

namespace zhigai::gateway {

class Gateway;
struct GatewayOptions;
struct Backend;
class Worker;
class BackendAddresses;

class Proxy {
 public:
  static absl::StatusOr<std::unique_ptr<Proxy>> Start(Gateway& gateway,
                                                      const GatewayOptions& options, int* port);
  ~Proxy();
  // Refuses new connections and calls at once, lets calls in flight finish until `drain`,
  // then ends the rest with UNAVAILABLE (and cancels them at their backends).
  void Shutdown(absl::Duration drain);

  Gateway& gateway() { return gateway_; }
  // What grpc.health.v1.Health/Check answers.
  bool serving() const { return serving_.load(); }
  void SetServing(bool serving) { serving_.store(serving); }
  // The gateway's own gRPC services (server reflection), served in-process on loopback.
  Backend* local_backend() { return local_backend_.get(); }
  int max_message_bytes() const { return max_message_bytes_; }
  absl::Duration max_connection_age() const { return max_connection_age_; }
  absl::Duration aged_idle_close() const { return aged_idle_close_; }
  absl::Duration backend_connection_age() const { return backend_connection_age_; }
  BackendAddresses& addresses() { return *addresses_; }
  std::atomic<int> live_calls{0};

 private:
  explicit Proxy(Gateway& gateway);
  Gateway& gateway_;
  std::atomic<bool> serving_{false};
  int max_message_bytes_ = 0;
  absl::Duration max_connection_age_, aged_idle_close_, backend_connection_age_;
  SslCtxPtr tls_;
  std::unique_ptr<grpc::Server> local_server_;
  std::unique_ptr<Backend> local_backend_;
  std::unique_ptr<BackendAddresses> addresses_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
};

}  // namespace zhigai::gateway
