// The one "now" that every business rule reads: call periods, notice periods, filing deadlines
// in working days, event dates, rating windows, verification dates, Y-1 versus Y.
//
// Production runs on the system clock and has nothing to configure. A rehearsal system (the
// demo, the tests, a training cluster) may run a *settable* business clock instead: business
// time = wall time + an offset that an operator moves forward for the whole system at once
// (zhigai-admin clock set/advance; libs/db/clock_table.h holds the shared setting and
// libs/server/clock_follower.h keeps each process in step). The offset only ever grows, so
// business time never runs backwards inside a process, and time keeps flowing between two
// settings, so timestamps stay ordered.
//
// Thread-safe: Now() is two relaxed atomic loads and absl::Now().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace zhigai::core {

enum class ClockMode {
  kSystem,    // business time is the wall clock (production)
  kSettable,  // business time = wall clock + an operator-set offset (never production)
};

// "system" or "settable"; InvalidArgument naming the setting otherwise.
absl::StatusOr<ClockMode> ParseClockMode(absl::string_view text);
absl::string_view ClockModeName(ClockMode mode);

class BusinessClock {
 public:
  explicit BusinessClock(ClockMode mode = ClockMode::kSystem) : mode_(mode) {}
  BusinessClock(const BusinessClock&) = delete;
  BusinessClock& operator=(const BusinessClock&) = delete;

  absl::Time Now() const {
    return absl::Now() + absl::Microseconds(offset_us_.load(std::memory_order_relaxed));
  }
  // The business date (Asia/Shanghai) now.
  absl::CivilDay Today() const;
  // A function that reads this clock, for the stores and handlers that take `Clock`.
  std::function<absl::Time()> AsFunction() const {
    return [this] { return Now(); };
  }

  ClockMode mode() const { return mode_; }
  bool settable() const { return mode_ == ClockMode::kSettable; }
  // 0 until the first setting has been applied (the settable clock then follows the wall).
  int64_t generation() const { return generation_.load(std::memory_order_acquire); }
  absl::Duration offset() const {
    return absl::Microseconds(offset_us_.load(std::memory_order_relaxed));
  }

  // Applies an operator's setting. Only a settable clock moves, only to a newer generation;
  // an older or repeated generation is ignored (settings can arrive twice: by notification
  // and by the periodic read). Returns whether the clock changed.
  bool Apply(int64_t generation, absl::Duration offset);

 private:
  const ClockMode mode_;
  std::mutex apply_mu_;  // two followers' threads (notification, periodic read) may race
  std::atomic<int64_t> offset_us_{0};
  std::atomic<int64_t> generation_{0};
};

// The business clock of this process, for the few places that record business time beside
// wall time without a handler to hand it to them (log lines, audit rows). Set once by the
// service host before serving; nullptr in processes without one (tools, unit tests), which
// then record wall time only.
void InstallProcessClock(const BusinessClock* clock);
const BusinessClock* ProcessClock();

// Whether this process runs a settable clock: log lines and audit rows then carry the
// business time beside the wall time (on the system clock the two are the same).
bool ProcessClockIsSettable();

}  // namespace zhigai::core
