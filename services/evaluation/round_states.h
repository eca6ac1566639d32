// The life of a round (R10.1; issue 7): OPEN → METRICS_FROZEN → DEFENCE_SCORED → RANKED →
// PUBLISHED, and which step each state allows. One table, used by the store under the round's
// row lock so a step and its state check are one decision.
#pragma once

#include "absl/status/status.h"
#include "zhigai/evaluation/v1/evaluation.pb.h"

namespace zhigai::evaluation {

enum class Step {
  kPull,     // PullMetrics: OPEN only (the snapshot is replaced until frozen)
  kFreeze,   // FreezeSnapshot: OPEN → METRICS_FROZEN
  kDefence,  // RecordDefenceScores: METRICS_FROZEN or DEFENCE_SCORED
  kRank,     // ComputeRanking: DEFENCE_SCORED → RANKED
  kPublish,  // PublishRound: RANKED → PUBLISHED
};

// OK when `state` allows `step`; else FAILED_PRECONDITION with a stable reason
// (SNAPSHOT_FROZEN, ROUND_NOT_OPEN, METRICS_NOT_FROZEN, DEFENCE_NOT_SCORED, ROUND_NOT_RANKED,
// ROUND_ALREADY_RANKED, ROUND_ALREADY_PUBLISHED) and rule R10.1.
absl::Status CheckStep(v1::RoundState state, Step step);

// Sheets exist from RANKED on.
inline bool IsRanked(v1::RoundState s) { return s == v1::RANKED || s == v1::PUBLISHED; }

}  // namespace zhigai::evaluation
