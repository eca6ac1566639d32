// The dispatcher under concurrency, with the real PostgreSQL store and an in-process receiver
// (no gRPC, so the test also runs under ThreadSanitizer): writers enqueue from many threads in
// transactions (some rolled back), two dispatcher replicas share the table while one of them is
// stopped and started again and again, and answers come back on the receiver's own threads.
// Afterwards every committed command was accepted exactly once, in enqueue order per ordering
// key, refusals are parked after one attempt, and nothing rolled back was ever sent.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/db/testing/test_database.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"

namespace zhigai::outbox {
namespace {

constexpr char kAccept[] = "/test.Receiver/Accept";
constexpr char kRefuse[] = "/test.Receiver/Refuse";  // a permanent refusal: parked
constexpr char kFlaky[] = "/test.Receiver/Flaky";    // UNAVAILABLE once, then accepted

constexpr int kWriters = 6;
constexpr int kTransactionsPerWriter = 60;
constexpr int kKeysPerWriter = 4;
constexpr int kWindow = 8;

// The far side, shared by both replicas: what a real idempotent receiver would record, plus
// the checks that only the receiver can make while calls are in flight.
class Receiver {
 public:
  Receiver() {
    for (int i = 0; i < 3; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~Receiver() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  // Refusals are answered inline (before Send returns), the rest later on a worker thread, so
  // both of CommandSender's completion paths run.
  void Send(const Command& c, std::function<void(absl::Status)> done, std::atomic<int>* peak,
            std::atomic<int>* in_flight) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++sends_[c.command_id];
      if (!c.ordering_key.empty() && !keys_in_flight_.insert(c.ordering_key).second) {
        ++same_key_overlaps_;
      }
    }
    int now = in_flight->fetch_add(1) + 1;
    int seen = peak->load();
    while (now > seen && !peak->compare_exchange_weak(seen, now)) {
    }
    if (c.method == kRefuse) {
      Finish(c, absl::InvalidArgumentError("refused"), std::move(done), in_flight);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({c, std::move(done), in_flight});
    }
    cv_.notify_one();
  }

  std::map<std::string, int> sends() {
    std::lock_guard<std::mutex> lock(mu_);
    return sends_;
  }
  std::map<std::string, int> accepted() {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  std::map<std::string, std::vector<int>> order() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_;
  }
  int same_key_overlaps() {
    std::lock_guard<std::mutex> lock(mu_);
    return same_key_overlaps_;
  }

 private:
  struct Pending {
    Command command;
    std::function<void(absl::Status)> done;
    std::atomic<int>* in_flight;
  };

  void Work() {
    std::mt19937 rng(std::hash<std::thread::id>()(std::this_thread::get_id()));
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      // A receiver's commit takes a while; the pause lets answers overtake one another.
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 400));
      absl::Status answer = absl::OkStatus();
      if (p.command.method == kFlaky) {
        std::lock_guard<std::mutex> l(mu_);
        if (sends_[p.command.command_id] == 1) answer = absl::UnavailableError("not yet");
      }
      Finish(p.command, answer, std::move(p.done), p.in_flight);
      lock.lock();
    }
  }

  void Finish(const Command& c, const absl::Status& answer, std::function<void(absl::Status)> done,
              std::atomic<int>* in_flight) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (answer.ok()) {
        ++accepted_[c.command_id];
        // The payload is "<ordering key>#<sequence within the key>".
        std::vector<std::string> parts = absl::StrSplit(c.payload, '#');
        int seq = -1;
        if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &seq)) order_[parts[0]].push_back(seq);
      }
      if (!c.ordering_key.empty()) keys_in_flight_.erase(c.ordering_key);
    }
    in_flight->fetch_sub(1);
    done(answer);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<Pending> queue_;
  std::vector<std::thread> workers_;
  std::map<std::string, int> sends_, accepted_;
  std::map<std::string, std::vector<int>> order_;  // per key: sequences in acceptance order
  std::set<std::string> keys_in_flight_;
  int same_key_overlaps_ = 0;
};

// One replica's transport: its own in-flight count, to check its window.
class FakeSender : public CommandSender {
 public:
  explicit FakeSender(Receiver& receiver) : receiver_(receiver) {}
  void Send(const Command& command, std::function<void(absl::Status)> done) override {
    receiver_.Send(command, std::move(done), &peak_, &in_flight_);
  }
  int peak() const { return peak_.load(); }

 private:
  Receiver& receiver_;
  std::atomic<int> in_flight_{0}, peak_{0};
};

struct Expected {
  std::set<std::string> delivered, refused, rolled_back;
  std::map<std::string, std::vector<int>> order;  // per key: accepted sequences, in order
};

TEST(OutboxConcurrencyTest, ManyWritersTwoReplicasEveryCommandOnceInOrderPerKey) {
  auto db = db::testing::TestDatabase::Create();
  db::Pool pool(db::PoolOptions{db->ServiceConninfo("sender"), kWriters + 4});
  ASSERT_TRUE(server::Migrate(pool, "sender", {}).ok());

  Receiver receiver;
  DispatcherOptions options;
  options.service = "sender";
  options.poll = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(1);
  options.batch = 20;
  options.max_in_flight = kWindow;
  auto* sender_a = new FakeSender(receiver);
  auto* sender_b = new FakeSender(receiver);
  Dispatcher a(pool, options, std::unique_ptr<CommandSender>(sender_a));
  Dispatcher b(pool, options, std::unique_ptr<CommandSender>(sender_b));
  a.Start();
  b.Start();

  // Writer w owns keys "w<w>-k<k>": commands of one key are enqueued by one thread, one after
  // another, so their enqueue order is well defined (as for a service's causally ordered
  // commands). Every transaction enqueues one to three commands; every seventh rolls back.
  std::vector<Expected> expected(kWriters);
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w + 1);
      Expected& mine = expected[w];
      std::map<std::string, int> next_seq;
      for (int t = 0; t < kTransactionsPerWriter; ++t) {
        const bool roll_back = t % 7 == 6;
        std::vector<Command> batch;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int i = 0; i < n; ++i) {
          Command c;
          c.command_id = absl::StrCat("w", w, "-t", t, "-", i);
          c.target = "receiver";
          const int kind = static_cast<int>(rng() % 10);
          c.method = kind == 0 ? kRefuse : kind == 1 ? kFlaky : kAccept;
          if (rng() % 4 != 0) {
            c.ordering_key = absl::StrCat("w", w, "-k", rng() % kKeysPerWriter);
            // The sequence is taken even if the transaction rolls back: the order check only
            // needs accepted sequences to rise.
            c.payload = absl::StrCat(c.ordering_key, "#", next_seq[c.ordering_key]++);
          } else {
            c.payload = "unordered#0";
          }
          batch.push_back(c);
        }
        absl::Status s = pool.Transaction([&](db::Connection& conn) -> absl::Status {
          for (const Command& c : batch) {
            if (auto e = Enqueue(conn, c); !e.ok()) return e;
          }
          if (roll_back) return absl::CancelledError("the writer changed its mind");
          return absl::OkStatus();
        });
        ASSERT_EQ(s.ok(), !roll_back) << s;
        for (const Command& c : batch) {
          if (roll_back) {
            mine.rolled_back.insert(c.command_id);
          } else if (c.method == kRefuse) {
            mine.refused.insert(c.command_id);
          } else {
            mine.delivered.insert(c.command_id);
            if (!c.ordering_key.empty()) {
              int seq = 0;
              ASSERT_TRUE(absl::SimpleAtoi(c.payload.substr(c.payload.find('#') + 1), &seq));
              mine.order[c.ordering_key].push_back(seq);
            }
          }
        }
        if (!roll_back) (t % 2 ? a : b).Notify();
      }
    });
  }
  // Replica b goes away and comes back while the writers write (Stop joins its loop mid-run).
  std::thread churn([&] {
    while (writing.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
      b.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      b.Start();
    }
  });
  for (auto& t : writers) t.join();
  writing = false;
  churn.join();

  Expected all;
  for (const Expected& e : expected) {
    all.delivered.insert(e.delivered.begin(), e.delivered.end());
    all.refused.insert(e.refused.begin(), e.refused.end());
    all.rolled_back.insert(e.rolled_back.begin(), e.rolled_back.end());
    all.order.insert(e.order.begin(), e.order.end());
  }
  ASSERT_GT(all.refused.size(), 0u);
  ASSERT_GT(all.rolled_back.size(), 0u);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto counts = a.Counts();
    ASSERT_TRUE(counts.ok()) << counts.status();
    if (counts->pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  a.Stop();
  b.Stop();

  auto counts = a.Counts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(counts->delivered, static_cast<int64_t>(all.delivered.size()));
  EXPECT_EQ(counts->failed, static_cast<int64_t>(all.refused.size()));

  // Nothing left to send, and a further pass sends nothing.
  auto again = a.DeliverDue();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);

  const auto sends = receiver.sends();
  const auto accepted = receiver.accepted();
  for (const std::string& id : all.delivered) {
    auto it = accepted.find(id);
    EXPECT_TRUE(it != accepted.end() && it->second == 1)
        << id << " accepted " << (it == accepted.end() ? 0 : it->second) << " times";
  }
  EXPECT_EQ(accepted.size(), all.delivered.size());
  for (const std::string& id : all.refused) {
    EXPECT_EQ(sends.count(id) ? sends.at(id) : 0, 1) << id << ": a refusal is not retried";
    EXPECT_EQ(accepted.count(id), 0u) << id;
  }
  for (const std::string& id : all.rolled_back) EXPECT_EQ(sends.count(id), 0u) << id;

  auto order = receiver.order();
  for (const auto& [key, seqs] : all.order) {
    EXPECT_EQ(order[key], seqs) << "key " << key << " accepted out of enqueue order";
  }
  EXPECT_EQ(receiver.same_key_overlaps(), 0);

  std::printf("%zu delivered, %zu parked, %zu rolled back; peak in flight %d and %d\n",
              all.delivered.size(), all.refused.size(), all.rolled_back.size(), sender_a->peak(),
              sender_b->peak());
  // The window was used, and never exceeded.
  EXPECT_LE(sender_a->peak(), kWindow);
  EXPECT_LE(sender_b->peak(), kWindow);
  EXPECT_GT(std::max(sender_a->peak(), sender_b->peak()), 1);

  // The table agrees with the receiver: each delivered row was attempted once, flaky ones twice.
  auto admin = db->Admin();
  auto rows = admin->Exec(db::Statement{"t.rows",
                                        "SELECT command_id, attempts, delivered_at IS NOT NULL,"
                                        " failed_at IS NOT NULL FROM sender.outbox"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows(), static_cast<int>(all.delivered.size() + all.refused.size()));
  for (int i = 0; i < rows->rows(); ++i) {
    const std::string id = rows->String(i, 0);
    EXPECT_EQ(rows->Int64(i, 1), sends.count(id) ? sends.at(id) : -1) << id;
    EXPECT_EQ(rows->String(i, 2) == "t", all.delivered.count(id) == 1) << id;
    EXPECT_EQ(rows->String(i, 3) == "t", all.refused.count(id) == 1) << id;
  }
}

}  // namespace
}  // namespace zhigai::outbox
