// The shared setting of a settable business clock (libs/core/business_clock.h): one row in the
// `zhigai_clock` schema of the database the services share, moved only forward by an operator,
// read by every service (libs/server/clock_follower.h), and a table where each following
// process reports the setting it runs on, so the operator's tool returns only once the whole
// system agrees. A production database has no such schema: its services run on the system
// clock and never read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"

namespace zhigai::db {

inline constexpr char kClockChannel[] = "zhigai_clock";

struct ClockSetting {
  int64_t generation = 0;  // 0: never set; the settable clock then follows the wall clock
  absl::Duration offset;   // business time = wall time + offset
  absl::Time business_at;  // the business time it was set to
  absl::Time wall_at;      // the wall time when it was set
  std::string set_by;
};

// Administrator: creates the schema and its tables when missing and lets `role` read the
// setting and report as a follower (nothing else). Idempotent.
absl::Status ProvisionClock(Connection& admin, const std::string& role);

// A granted service role or the administrator: the current setting (generation 0 when the
// clock has never been set, or when the schema does not exist: `exists` says which).
struct ClockReading {
  bool exists = false;
  ClockSetting setting;
};
absl::StatusOr<ClockReading> ReadClock(Connection& conn);

// Administrator: moves the business time to `to`, or forward by `by`. Refused with
// FAILED_PRECONDITION BUSINESS_TIME_BACKWARDS when the target lies before the current
// business time (the very first setting of a system may place it anywhere: nothing has been
// decided on the settable clock yet). Notifies the followers in the same transaction.
struct ClockChange {
  std::optional<absl::Time> to;
  std::optional<absl::Duration> by;
  std::string set_by;
};
absl::StatusOr<ClockSetting> SetBusinessTime(Connection& admin, const ClockChange& change);

// A following process: reports the generation it runs on (a heartbeat as well).
absl::Status ReportFollower(Connection& conn, const std::string& service,
                            const std::string& instance, int64_t generation);

struct Follower {
  std::string service, instance;
  int64_t generation = 0;
  absl::Time seen_at;
};
// Administrator: the processes that reported within `live_within`.
absl::StatusOr<std::vector<Follower>> ListFollowers(Connection& admin, absl::Duration live_within);

}  // namespace zhigai::db
