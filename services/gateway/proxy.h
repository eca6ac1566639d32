// The gRPC side: an AsyncGenericService whose calls are pumped frame by frame to the backend
// through a GenericStub, on completion-queue threads (one thread per queue, so the events of a
// call never race each other and need no lock).
#pragma once

#include <grpcpp/support/string_ref.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grpc {
class AsyncGenericService;
class Server;
class ServerCompletionQueue;
class ClientContext;
}  // namespace grpc

namespace zhigai::auth {
struct Principal;
}

namespace zhigai::gateway {

class Gateway;
struct GatewayOptions;

class Proxy {
 public:
  static absl::StatusOr<std::unique_ptr<Proxy>> Start(Gateway& gateway,
                                                      const GatewayOptions& options, int* port);
  ~Proxy();
  void Shutdown(absl::Duration drain);
  grpc::Server* server() { return server_.get(); }

  // Used by the calls themselves.
  Gateway& gateway() { return gateway_; }
  bool tls_client_certs() const { return tls_client_certs_; }
  void Spawn(grpc::ServerCompletionQueue* cq);
  std::atomic<int> live{0};
  // What grpc.health.v1.Health/Check answers.
  bool serving() const { return serving_.load(); }
  void SetServing(bool serving) { serving_.store(serving); }

 private:
  explicit Proxy(Gateway& gateway);
  Gateway& gateway_;
  bool tls_client_certs_ = false;
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> serving_{false};
  std::unique_ptr<grpc::AsyncGenericService> service_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> cqs_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::thread> threads_;
};

// The metadata a backend receives: what the client sent, less the credentials and anything
// claiming an identity, plus the verified principal, the internal proof and the request id.
using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;
void SetBackendMetadata(grpc::ClientContext& context, const Metadata* client_metadata,
                        const auth::Principal& principal, const std::string& proof,
                        const std::string& request_id);
// Metadata a client must not see copied from the backend (transport and status keys).
bool IsTransportKey(grpc::string_ref key);

}  // namespace zhigai::gateway
