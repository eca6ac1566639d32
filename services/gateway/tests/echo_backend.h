// A test backend on port 0: the EchoService (one method of each gRPC shape) plus a catch-all
// generic handler that answers any other method with an empty message. Both record the
// principal metadata they receive, so tests can prove what reaches a backend.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace zhigai::gateway::testing {

struct Received {
  std::string method;
  std::multimap<std::string, std::string> metadata;
};

class EchoBackend {
 public:
  // `quiet` skips recording (benchmarks). `max_connection_age_ms` > 0 makes the server send
  // GOAWAY on each connection after that age, as zhigai's services do every 5 minutes.
  explicit EchoBackend(const std::string& listen = "127.0.0.1:0", bool quiet = false,
                       int max_connection_age_ms = 0);
  ~EchoBackend();
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  std::vector<Received> received();
  void Clear();
  int cancelled() const { return cancelled_.load(); }
  int hanging() const { return hanging_.load(); }
  grpc::Server* server() { return server_.get(); }

  // Called by the handlers.
  void Record(const std::string& method, const grpc::ServerContextBase& ctx);
  std::atomic<int> cancelled_{0}, hanging_{0};
  bool quiet() const { return quiet_; }

 private:
  bool quiet_;
  std::mutex mu_;
  std::vector<Received> received_;
  std::unique_ptr<grpc::Service> echo_;
  std::unique_ptr<grpc::CallbackGenericService> generic_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace zhigai::gateway::testing
