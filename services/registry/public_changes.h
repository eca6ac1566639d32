// The feed of public changes (issue 25 item 2): how a change is appended in its writer's
// transaction, and how watchers learn that the feed has grown.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

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

// Wakes the watchers of one process when the feed may have grown: the notification listener
// bumps it on every notice and whenever its connection comes or goes (notices may have been
// missed then). Watchers also look again at least every `timeout`, so a lost notice delays a
// change, never loses it.
class PublicChangeSignal {
 public:
  void Bump();
  uint64_t generation() const;
  // Waits until the generation is past `seen`, or `timeout`, or Shutdown; true when bumped.
  bool WaitPast(uint64_t seen, absl::Duration timeout);
  // Releases every waiter for good (the server is draining).
  void Shutdown();
  bool shut_down() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool shut_down_ = false;
};

}  // namespace zhigai::registry
