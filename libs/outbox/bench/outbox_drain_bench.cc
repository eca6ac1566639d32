// How fast the dispatcher drains a backlog, by window size, in one run: N commands are queued
// while the dispatcher is stopped, then it starts and the time until none is pending is taken.
// Two receivers: the gRPC health service in-process over loopback (answers at once: the
// dispatcher's own ceiling, i.e. the outbox table and commits), and an in-process receiver that
// answers each command 1 ms after it was sent (a receiver that commits a row, like the
// registry's ImposeSanction, without that receiver's own load on this 2-core machine). The
// end-to-end figure with the real registry is feedback_outbox_bench's.
//
// Usage: outbox_drain_bench [N] [window ...]   (defaults 5000; windows 1 and 32, three times
// each, interleaved, on the noisy shared machine). Needs ZHIGAI_TEST_PG_ADMIN.
#include <grpcpp/server.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/db/testing/test_database.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"

namespace {

using namespace zhigai;  // NOLINT

constexpr char kCheck[] = "/grpc.health.v1.Health/Check";  // empty request = overall health

// Answers every command `delay` after it was sent, however many are outstanding.
class DelayedSender : public outbox::CommandSender {
 public:
  explicit DelayedSender(absl::Duration delay) : delay_(delay), thread_([this] { Run(); }) {}
  ~DelayedSender() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Send(const outbox::Command&, std::function<void(absl::Status)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({absl::Now() + delay_, std::move(done)});
    }
    cv_.notify_all();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_ || !queue_.empty()) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      const absl::Time due = queue_.front().first;  // FIFO: equal delays keep due times sorted
      if (absl::Now() < due) {
        cv_.wait_for(lock, absl::ToChronoNanoseconds(due - absl::Now()));
        continue;
      }
      auto done = std::move(queue_.front().second);
      queue_.pop_front();
      lock.unlock();
      done(absl::OkStatus());
      lock.lock();
    }
  }

  const absl::Duration delay_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<std::pair<absl::Time, std::function<void(absl::Status)>>> queue_;
  std::thread thread_;
};

bool Fill(db::Pool& pool, int n, int round) {
  for (int start = 0; start < n; start += 500) {
    absl::Status s = pool.Transaction([&](db::Connection& c) -> absl::Status {
      for (int i = start; i < std::min(n, start + 500); ++i) {
        outbox::Command cmd{absl::StrCat("r", round, "-", i), "receiver", kCheck, ""};
        // Half the commands carry an ordering key (distinct ones), as admissions do.
        if (i % 2) cmd.ordering_key = absl::StrCat("k", round, "-", i);
        RETURN_IF_ERROR(outbox::Enqueue(c, cmd));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "enqueue failed: %s\n", std::string(s.message()).c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 5000;
  std::vector<int> windows;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &n)) {
    std::fprintf(stderr, "usage: %s [N] [window ...]\n", argv[0]);
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    int w = 0;
    if (!absl::SimpleAtoi(argv[i], &w) || w < 1) return 2;
    windows.push_back(w);
  }
  if (windows.empty()) windows = {1, 32, 1, 32, 1, 32};

  auto db = db::testing::TestDatabase::Create();
  db::Pool pool(db::PoolOptions{db->ServiceConninfo("sender"), 4});
  if (!server::Migrate(pool, "sender", {}).ok()) return 1;
  int port = 0;
  auto receiver = server::StartServer({}, "127.0.0.1:0", nullptr, &port);

  std::printf("outbox drain: %d commands queued, then one dispatcher (batch 50) drains them\n", n);
  int round = 0;
  for (bool delayed : {false, true}) {
    for (int window : windows) {
      ++round;
      // Every round starts from an empty table, so the rounds are comparable.
      if (!pool.Transaction([](db::Connection& c) { return c.ExecScript("DELETE FROM outbox"); })
               .ok() ||
          !Fill(pool, n, round)) {
        return 1;
      }
      // A table that grew by thousands of rows in a second has no statistics until autovacuum
      // gets to it, and kDue's plan without them is slower by an order of magnitude: measure
      // the dispatcher, not that.
      if (!pool.Transaction([](db::Connection& c) { return c.ExecScript("ANALYZE outbox"); })
               .ok()) {
        return 1;
      }
      outbox::DispatcherOptions o;
      o.service = "bench";
      o.peers["receiver"] = absl::StrCat("127.0.0.1:", port);
      o.max_in_flight = window;
      auto d = delayed ? std::make_unique<outbox::Dispatcher>(
                             pool, o, std::make_unique<DelayedSender>(absl::Milliseconds(1)))
                       : std::make_unique<outbox::Dispatcher>(pool, o);
      // Timed from the start, as after an outage: connecting is part of a drain.
      const absl::Time start = absl::Now();
      d->Start();
      d->Notify();
      while (true) {
        auto counts = d->Counts();
        if (!counts.ok()) return 1;
        if (counts->pending == 0) break;
        absl::SleepFor(absl::Milliseconds(5));
      }
      const double s = absl::ToDoubleSeconds(absl::Now() - start);
      d->Stop();
      std::printf("%-28s window %3d: %d delivered in %5.2f s = %6.0f commands/s\n",
                  delayed ? "receiver answering in 1 ms," : "gRPC health receiver,", window, n, s,
                  n / s);
      std::fflush(stdout);
    }
  }
  return 0;
}
