// The feed of public changes (issue 25 item 2): how a change is appended in its writer's
// transaction, and how watchers learn that the feed has grown.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::registry {

// PostgreSQL channel notified (at commit) when the feed grows; payload: the new sequence.
inline constexpr char kPublicChangesChannel[] = "registry_public_changes";

// Appends `change` in the caller's transaction: takes the next sequence from the counter row
// (locked until commit, so numbers have no gap and commit in order), stamps change_time, stores
// it and notifies watchers at commit. Returns the change as stored.
absl::StatusOr<v1::PublicChange> AppendPublicChange(db::Connection& c, v1::PublicChange change,
                                                    absl::Time now);

// The recent end of the feed, in memory, shared by every follower of one process: one pump
// thread reads new changes from the table when a notice says the feed grew (and at least every
// second, in case a notice was lost with the listener's connection), and followers take them
// from here. Without it each of 100 followers ran its own query per change, and those queries
// made every writer wait (docs/benchmarks.md, "The feed of public changes").
class PublicChangeHub {
 public:
  struct Page {
    std::vector<v1::PublicChange> changes;  // in sequence order
    int64_t last_sequence = 0;
  };
  // Reads the table: the changes after `after`, at most `limit` (0: none, last_sequence only).
  using Reader = std::function<absl::StatusOr<Page>(int64_t after, int limit)>;

  explicit PublicChangeHub(Reader reader, size_t capacity = 20000);
  ~PublicChangeHub();
  void Start();
  // Releases every follower for good and ends the pump (the server is draining).
  void Stop();
  // A notice: the feed may have grown.
  void Bump();

  enum class Outcome { kChanges, kTimeout, kTooOld, kStopped };
  // The changes after `after` (at most `max`), waiting up to `timeout` for one. kTooOld: memory
  // no longer holds the change after `after`; the caller replays from the table.
  Outcome Next(int64_t after, size_t max, absl::Duration timeout,
               std::vector<v1::PublicChange>* out);

 private:
  void Pump();
  absl::Status PumpOnce();

  Reader reader_;
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable grown_, wake_;
  std::deque<v1::PublicChange> recent_;  // contiguous, the last one is tail_
  int64_t tail_ = -1;                    // -1 until the table has been read once
  bool bumped_ = false, stop_ = false, started_ = false;
  std::thread thread_;
};

}  // namespace zhigai::registry
