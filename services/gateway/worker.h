// One thread of the frame proxy: its event loop, its share of the listening port (SO_REUSEPORT),
// the client connections it accepted, one connection per backend, and the calls between them.
// Everything here runs on the worker's thread; Proxy talks to it through Post only.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/event_loop.h"
#include "services/gateway/h2_connection.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace zhigai::gateway {

class Proxy;
struct Backend;
class BackendConnection;

class Worker : public ConnectionHost, public FdHandler {
 public:
  // `listen_fd` is bound and listening; the worker owns it.
  static absl::StatusOr<std::unique_ptr<Worker>> Start(Proxy& proxy, int listen_fd, SSL_CTX* tls);
  ~Worker() override;

  // From any thread: stop accepting, tell clients to go away (GOAWAY), finish calls in flight.
  void BeginDrain();
  // From any thread: end what is left (UNAVAILABLE to clients, cancelled at backends), stop.
  void Stop();

  // On the worker's thread.
  void OnEvents(uint32_t events) override;  // the listening socket
  void MarkDirty(H2Connection* connection) override;
  void Closed(H2Connection* connection) override;
  // The connection calls for `backend` go out on; null with `why` when it cannot be opened.
  BackendConnection* ConnectionTo(Backend* backend, std::string* why);
  Proxy& proxy() { return proxy_; }
  EventLoop& loop() { return *loop_; }

 private:
  Worker(Proxy& proxy, int listen_fd, SSL_CTX* tls);
  void Accept();
  void EndOfTurn();

  Proxy& proxy_;
  int listen_fd_;
  SSL_CTX* tls_;
  bool draining_ = false;
  std::unique_ptr<EventLoop> loop_;
  absl::flat_hash_map<H2Connection*, std::unique_ptr<H2Connection>> connections_;
  absl::flat_hash_set<H2Connection*> dirty_;
  absl::flat_hash_map<Backend*, BackendConnection*> backends_;
  std::thread thread_;
};

}  // namespace zhigai::gateway
