// The backends' network addresses, resolved off the event loops. A worker opening a connection
// only reads the latest answer, so a slow or failing DNS never stalls the calls of a worker;
// a thread re-resolves every backend every few seconds (a headless Service's replicas come and
// go) and at once when a worker reports that a connection failed.
#pragma once

#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhigai::gateway {

// "host:port" or "[v6 address]:port" → host (without brackets) and port; false without a port.
bool SplitHostPort(absl::string_view address, std::string* host, std::string* port);

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

class BackendAddresses {
 public:
  // `addresses`: "host:port" of each backend. Resolves each once before returning (a name that
  // does not resolve yet is retried in the background: backends may start after the gateway).
  explicit BackendAddresses(const std::vector<std::string>& addresses,
                            absl::Duration refresh = absl::Seconds(10));
  ~BackendAddresses();
  BackendAddresses(const BackendAddresses&) = delete;
  BackendAddresses& operator=(const BackendAddresses&) = delete;

  // One of the socket addresses `address` resolves to, at random; an error when none is known.
  absl::StatusOr<SocketAddress> Pick(const std::string& address);
  // A connection failed: resolve again soon (at most one pass a second).
  void Refresh();

 private:
  struct Entry {
    std::vector<SocketAddress> resolved;
    std::string error;
  };
  void ResolveAll();
  static void Resolve(const std::string& address, Entry& entry);

  absl::Duration refresh_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false, poked_ = false;
  std::map<std::string, Entry> entries_;  // by "host:port"; guarded by mu_
  std::thread thread_;
};

}  // namespace zhigai::gateway
