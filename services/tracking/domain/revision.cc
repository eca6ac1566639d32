#include "services/tracking/domain/revision.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::tracking {

absl::string_view RevisionDecisionName(RevisionDecision decision) {
  switch (decision) {
    case RevisionDecision::kAccepted:
      return "ACCEPTED";
    case RevisionDecision::kUpdated:
      return "UPDATED";
    case RevisionDecision::kDuplicate:
      return "DUPLICATE";
    case RevisionDecision::kStale:
      return "STALE";
    case RevisionDecision::kConflict:
      return "CONFLICT";
  }
  return "UNKNOWN";
}

RevisionDecision DecideRevision(const std::optional<StoredRevision>& existing,
                                int64_t incoming_revision, absl::string_view incoming_hash) {
  if (!existing.has_value()) return RevisionDecision::kAccepted;
  return DecideRevision(true, existing->revision, existing->content_hash, incoming_revision,
                        incoming_hash);
}

RevisionDecision DecideRevision(bool stored, int64_t stored_revision, absl::string_view stored_hash,
                                int64_t incoming_revision, absl::string_view incoming_hash) {
  if (!stored) return RevisionDecision::kAccepted;
  if (incoming_revision > stored_revision) return RevisionDecision::kUpdated;
  if (incoming_revision < stored_revision) return RevisionDecision::kStale;
  return incoming_hash == stored_hash ? RevisionDecision::kDuplicate : RevisionDecision::kConflict;
}

bool ShouldStore(RevisionDecision decision) {
  return decision == RevisionDecision::kAccepted || decision == RevisionDecision::kUpdated;
}

absl::Status RevisionStatus(RevisionDecision decision, absl::string_view key, int64_t revision) {
  if (decision != RevisionDecision::kConflict) return absl::OkStatus();
  return RuleViolation(
      "REVISION_CONFLICT", "S1.1",
      absl::StrCat(key, " revision ", revision,
                   " was already received with different content; send a new revision"),
      absl::StrCat(key, " 第", revision, "版已接收且内容不同，请以新版本号重新推送"));
}

}  // namespace zhigai::tracking
