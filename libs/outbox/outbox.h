// The transactional outbox: a command for another service is written in the same transaction
// as the change that causes it, and a dispatcher delivers it with retries until the receiver
// (idempotent on the command id) accepts it. Nothing is lost while the receiver is down, and
// replicas share the work without delivering one row twice at the same time (SKIP LOCKED).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"
#include "libs/db/pool.h"

namespace grpc {
class Channel;
}
namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
}  // namespace prometheus

namespace zhigai::outbox {

struct Command {
  std::string command_id;  // the receiver's idempotency key
  std::string target;      // peer name, e.g. "registry"
  std::string
      method;  // full gRPC method, e.g. "/zhigai.registry.v1.RegistryService/ImposeSanction"
  std::string payload;  // the serialised request message
  // Commands with the same non-empty key are delivered one after another in the order they
  // were enqueued: a later one waits while an earlier one is pending (retrying). A parked
  // (refused) command does not hold the others back.
  std::string ordering_key = {};
};

// Inside the caller's transaction. A second command with the same id is ignored.
absl::Status Enqueue(db::Connection& conn, const Command& command);

struct DispatcherOptions {
  std::string service;                       // the sender, sent as the SERVICE principal's subject
  std::string internal_proof;                // proof that backends require with principal metadata
  std::map<std::string, std::string> peers;  // target name → "host:port"
  absl::Duration poll = absl::Milliseconds(500);
  absl::Duration call_timeout = absl::Seconds(5);
  absl::Duration max_backoff = absl::Seconds(30);
  int batch = 50;
};

struct OutboxCounts {
  int64_t pending = 0, delivered = 0, failed = 0;
};

class Dispatcher {
 public:
  Dispatcher(db::Pool& pool, DispatcherOptions options, prometheus::Registry* metrics = nullptr);
  ~Dispatcher();
  void Start();
  void Stop();
  // Wakes the loop now (call after committing a transaction that enqueued).
  void Notify();
  // One pass over due commands; returns how many were delivered. Used by the loop and tests.
  absl::StatusOr<int> DeliverDue();
  absl::StatusOr<OutboxCounts> Counts();

 private:
  void Loop();
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& target);

  db::Pool& pool_;
  DispatcherOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true, wake_ = false;
  std::thread thread_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* retried_ = nullptr;
  prometheus::Counter* failed_ = nullptr;
  prometheus::Histogram* latency_ = nullptr;
};

}  // namespace zhigai::outbox
