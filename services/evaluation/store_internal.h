// What the store's files share inside the evaluation service (store.cc defines these): the
// round's row lock, its read, its audit and the writing of a ranking. Not for handlers.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "libs/db/connection.h"
#include "libs/db/stored.h"
#include "services/evaluation/compute.h"
#include "zhigai/evaluation/v1/evaluation.pb.h"

namespace zhigai::evaluation::store_internal {

struct LockedRound {
  v1::RoundState state = v1::ROUND_STATE_UNSPECIFIED;
  int64_t version = 0;
  int publication = 0;
};

// SELECT … FOR UPDATE of the round's row: NOT_FOUND when there is none.
absl::StatusOr<LockedRound> LockForUpdate(db::Connection& c, int year);
absl::StatusOr<v1::Round> ReadRoundIn(db::Connection& c, int year);
absl::Status AuditRound(db::Connection& c, const db::Change& change, int year, int64_t version);
// ABORTED STALE_VERSION for the round.
absl::Status StaleRound(int64_t sent, int64_t current);
// Inserts `computed` as the round's current sheets and ranking exports (the tables must hold
// none for the year).
absl::Status WriteCurrentRanking(db::Connection& c, int year, const ComputedRound& computed);

}  // namespace zhigai::evaluation::store_internal
