// What to do with a row the policy platform pushes again (project records and yearly counts
// alike): the platform resends and revises rows, and every push must be idempotent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::tracking {

enum class RevisionDecision {
  kAccepted,   // new key: store it
  kUpdated,    // newer revision than stored: replace
  kDuplicate,  // same revision, same content: nothing to do
  kStale,      // older revision than stored: nothing to do
  kConflict,   // same revision, different content: refused
};

// "ACCEPTED", "UPDATED", "DUPLICATE", "STALE", "CONFLICT".
absl::string_view RevisionDecisionName(RevisionDecision decision);

// What the store holds for the key (project id, or year/institution/kind in counts mode).
struct StoredRevision {
  int64_t revision = 0;
  std::string content_hash;
};

// Decision (task, RULES.md silent): a revision number names one content for ever. A resend of
// it with other content means the sender broke that promise, so it is a CONFLICT and is
// refused rather than silently overwriting or ignoring it. An older revision arriving late
// (out-of-order delivery) is STALE and acknowledged without a write. A newer revision is
// UPDATED even when its content is unchanged.
RevisionDecision DecideRevision(const std::optional<StoredRevision>& existing,
                                int64_t incoming_revision, absl::string_view incoming_hash);

// The same for a caller holding what is stored as plain values and a view of the hash (the
// store judges a whole batch from its query result without copying a hash per record).
RevisionDecision DecideRevision(bool stored, int64_t stored_revision, absl::string_view stored_hash,
                                int64_t incoming_revision, absl::string_view incoming_hash);

// True for ACCEPTED and UPDATED.
bool ShouldStore(RevisionDecision decision);

// OK for every decision but CONFLICT, which is FAILED_PRECONDITION, reason REVISION_CONFLICT,
// rule S1.1, naming `key` and the revision.
absl::Status RevisionStatus(RevisionDecision decision, absl::string_view key, int64_t revision);

}  // namespace zhigai::tracking
