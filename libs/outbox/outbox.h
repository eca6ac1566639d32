// The transactional outbox: a command for another service is written in the same transaction
// as the change that causes it, and a dispatcher delivers it with retries until the receiver
// (idempotent on the command id) accepts it. Nothing is lost while the receiver is down, and
// replicas share the work without delivering one row twice at the same time (SKIP LOCKED).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"
#include "libs/db/pool.h"

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
  // Commands of one pass sent at the same time. Each send waits a network round trip and the
  // receiver's commit, so one at a time caps a backlog's drain near 800/s; a window lets the
  // round trips overlap. Order per ordering_key is unaffected: a pass holds at most one command
  // of a key (see DeliverDue).
  int max_in_flight = 32;
};

// How a command reaches its receiver. The default speaks gRPC (MakeGrpcSender, in the
// zhigai_outbox library); tests pass an in-process one, so the dispatcher's own threads and
// bookkeeping can run under ThreadSanitizer without gRPC (Debian's gRPC is not instrumented).
class CommandSender {
 public:
  virtual ~CommandSender() = default;
  // Starts sending; `command` is only valid during the call. Thread-safe: DeliverDue may run
  // on a caller's thread while the loop runs. `done` is called exactly once, on
  // any thread (possibly before Send returns), with the receiver's answer: gRPC status codes
  // map one to one onto absl::StatusCode. The dispatcher waits for every answer before it
  // returns from a pass, so a sender is never destroyed with calls in flight.
  virtual void Send(const Command& command, std::function<void(absl::Status)> done) = 0;
};

// Unary calls over grpc::GenericStub to options.peers, with the SERVICE principal, the internal
// proof and the command id as request id; FAILED_PRECONDITION for a peer without an address.
std::unique_ptr<CommandSender> MakeGrpcSender(const DispatcherOptions& options);

struct OutboxCounts {
  int64_t pending = 0, delivered = 0, failed = 0;
};

class Dispatcher {
 public:
  // Sends over gRPC (MakeGrpcSender); defined with it, in the zhigai_outbox library.
  Dispatcher(db::Pool& pool, DispatcherOptions options, prometheus::Registry* metrics = nullptr);
  Dispatcher(db::Pool& pool, DispatcherOptions options, std::unique_ptr<CommandSender> sender,
             prometheus::Registry* metrics = nullptr);
  ~Dispatcher();
  void Start();
  void Stop();
  // Wakes the loop now (call after committing a transaction that enqueued).
  void Notify();
  // One pass over due commands; returns how many were delivered. Used by the loop and tests.
  absl::StatusOr<int> DeliverDue();
  absl::StatusOr<OutboxCounts> Counts();
  // Sets the backlog gauges (pending, oldest pending age, parked) from the table; the loop
  // calls it every kMeasureEvery, tests call it directly.
  absl::Status MeasureBacklog();
  static constexpr absl::Duration kMeasureEvery = absl::Seconds(5);

 private:
  void Loop();

  db::Pool& pool_;
  DispatcherOptions options_;
  std::unique_ptr<CommandSender> sender_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true, wake_ = false;
  std::thread thread_;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* retried_ = nullptr;
  prometheus::Counter* failed_ = nullptr;
  prometheus::Histogram* latency_ = nullptr;
  prometheus::Gauge* pending_ = nullptr;
  prometheus::Gauge* oldest_age_ = nullptr;
  prometheus::Gauge* parked_ = nullptr;
};

}  // namespace zhigai::outbox
