// R7.1 public notice (公示): its dates, when objections may be filed, and who is admitted
// to the directory at its end.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/review/domain/direction.h"

namespace zhigai::review {

struct PublicNotice {
  absl::CivilDay start;  // first day of the notice
  int period_days = 0;   // Call::notice_period_days
};

// Decision (RULES.md silent): the period counts calendar days and the start day is day 1,
// so a 5-day notice starting 2026-07-01 ends on 2026-07-05 (the last day objections are
// taken). Periods below 1 are treated as 1.
absl::CivilDay NoticeEndDate(const PublicNotice& notice);

// OK when an objection filed on `date` is within [start, end] (both inclusive);
// FAILED_PRECONDITION OBJECTION_OUTSIDE_NOTICE_PERIOD giving the dates otherwise.
absl::Status CheckObjectionDate(const PublicNotice& notice, absl::CivilDay date);

enum class ObjectionStatus { kPending, kUpheld, kRejected };

struct Objection {
  std::string id;
  std::string application_id;
  std::optional<Direction> direction;  // empty: against the application in every direction
  ObjectionStatus status = ObjectionStatus::kPending;
};

// A selection of one application in one direction.
struct Selected {
  std::string application_id;
  Direction direction = Direction::kConsulting;
  friend bool operator==(const Selected&, const Selected&) = default;
};

// Those of `selected` admitted at the end of the notice: every selection without an upheld
// objection against it, in the given order. FAILED_PRECONDITION NOTICE_PERIOD_NOT_OVER
// when `today` is not after the end date, OBJECTIONS_PENDING naming objections not yet
// resolved.
absl::StatusOr<std::vector<Selected>> AdmittedAfterNotice(const PublicNotice& notice,
                                                          absl::CivilDay today,
                                                          const std::vector<Selected>& selected,
                                                          const std::vector<Objection>& objections);

}  // namespace zhigai::review
