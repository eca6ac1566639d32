// One thread's epoll loop for the frame proxy. Everything a worker owns (its listener, its
// client and backend connections, its calls) runs on this thread, so nothing needs a lock;
// other threads reach it only through Post.
//
// Why not gRPC's own completion queues: each forwarded call then costs a write of its own in
// each direction. Here every connection is flushed once per turn of the loop, after all ready
// input has been read, so the calls that arrived together leave together (docs/benchmarks.md,
// issue 8).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhigai::gateway {

class FdHandler {
 public:
  virtual ~FdHandler() = default;
  virtual void OnEvents(uint32_t events) = 0;
};

class EventLoop {
 public:
  using Timers = std::multimap<absl::Time, std::function<void()>>;

  static absl::StatusOr<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();

  // Registers `fd` (non-blocking) for `events` (EPOLLIN, EPOLLOUT...).
  absl::Status Watch(int fd, uint32_t events, FdHandler* handler);
  void Rewatch(int fd, uint32_t events, FdHandler* handler);
  void Unwatch(int fd);
  // A handler removed during a turn may still have events queued in that turn: it is deleted
  // after the turn, and its events are dropped.
  void Retire(std::unique_ptr<FdHandler> handler);

  Timers::iterator At(absl::Time when, std::function<void()> fn);
  void Cancel(Timers::iterator timer) { timers_.erase(timer); }
  Timers::iterator NoTimer() { return timers_.end(); }

  // Runs `fn` on the loop's thread (from any thread).
  void Post(std::function<void()> fn);
  // Called at the end of every turn, after all events, timers and posts.
  void SetEndOfTurn(std::function<void()> fn) { end_of_turn_ = std::move(fn); }

  // Runs until Stop (from any thread).
  void Run();
  void Stop();

 private:
  EventLoop() = default;
  void RunDue();
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stop_ = false;
  Timers timers_;
  std::function<void()> end_of_turn_;
  std::vector<std::unique_ptr<FdHandler>> retired_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;  // guarded by mu_
};

}  // namespace zhigai::gateway
