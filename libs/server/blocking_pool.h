// A fixed set of threads for work that may block (a PostgreSQL round trip) handed off by a
// completion-queue thread, which must not block. gRPC and Abseil have no public thread pool;
// this one is a queue and a condition variable. std::mutex rather than absl::Mutex: Debian's
// Abseil is not built for ThreadSanitizer, which then misreads absl::Condition (evaluated by
// whichever thread unlocks) as a race, and this pool is in the TSan run.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace zhigai::server {

class BlockingPool {
 public:
  explicit BlockingPool(int threads);
  ~BlockingPool() { Stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void Run(std::function<void()> task);
  // Runs what is queued, then joins the threads. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace zhigai::server
