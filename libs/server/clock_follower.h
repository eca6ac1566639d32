// Keeps a settable business clock (libs/core/business_clock.h) in step with the setting an
// operator keeps in the database (libs/db/clock_table.h): it reads the setting when notified
// (within milliseconds of the operator's commit) and once a second in any case, applies newer
// generations, and reports the generation it runs on, which the operator's tool waits for
// before it returns. Until the first successful read the service is not ready: it would
// otherwise decide on the wall clock's date.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "libs/core/business_clock.h"
#include "libs/db/listener.h"
#include "libs/db/pool.h"

namespace prometheus {
class Collectable;
}

namespace zhigai::server {

class ClockFollower {
 public:
  // `conninfo` opens the listening connection (the pool's own cannot wait on notifications).
  ClockFollower(core::BusinessClock& clock, db::Pool& pool, std::string conninfo,
                std::string service);
  ~ClockFollower();

  void Start();
  void Stop();
  // True once the setting has been read (or found never set) at least once.
  bool synced() const { return synced_.load(); }
  // Why the last read failed, for the log (empty when it worked).
  absl::Status last_error() const;

  // One read-apply-report round; the loops call it, tests may too.
  absl::Status SyncOnce();

 private:
  void Loop();

  core::BusinessClock& clock_;
  db::Pool& pool_;
  std::string service_, instance_;
  std::unique_ptr<db::NotificationListener> listener_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true, poke_ = false;
  absl::Status last_error_;
  std::thread thread_;
};

// The clock's state as Prometheus gauges, read from the clock at every scrape:
// zhigai_business_clock_settable (1 on a settable clock: never in production), _generation and
// _offset_seconds. Registered with the metrics endpoint beside the service's registry.
std::shared_ptr<prometheus::Collectable> ClockMetrics(const core::BusinessClock& clock);

}  // namespace zhigai::server
