// All SQL of the evaluation service. Every write runs in one transaction with its audit row,
// under the round's row lock, and checks the round's state there (round_states.h): a failed
// call writes nothing, and a pull either replaces the whole snapshot or leaves it as it was.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"
#include "libs/db/stored.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/snapshot.h"
#include "zhigai/evaluation/v1/evaluation.pb.h"

namespace zhigai::evaluation {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

// The frozen inputs of a round, by credit code, with the round version they were read at.
struct RoundInputs {
  int64_t version = 0;
  v1::RoundState state = v1::ROUND_STATE_UNSPECIFIED;
  int rule_version = 0;  // the score-sheet rules the round records
  std::vector<InstitutionInput> inputs;
  // Institutions with a defence entry (an empty entry records that one did not defend).
  std::set<std::string> with_defence_entry;
};

class EvaluationStore {
 public:
  EvaluationStore(db::Pool& pool, Clock clock) : pool_(pool), clock_(std::move(clock)) {}

  // `rule_version`: the score-sheet rules in force for `year`, recorded with the round.
  absl::StatusOr<v1::Round> CreateRound(const Change& change, const std::string& idempotency_key,
                                        int year, bool include_previous_directory,
                                        int rule_version);
  absl::StatusOr<v1::Round> GetRound(int year);

  // Replaces the snapshot of an OPEN round with `snapshot` (all or nothing).
  absl::StatusOr<v1::Snapshot> ReplaceSnapshot(const Change& change, int year,
                                               const PulledSnapshot& snapshot);
  absl::StatusOr<v1::Snapshot> GetSnapshot(int year);
  // The pulled figures as stored (for the replay check and tests).
  absl::StatusOr<std::vector<SnapshotInstitution>> LoadSnapshot(int year);

  absl::StatusOr<v1::Round> Freeze(const Change& change, int year, int64_t expected_version);
  absl::StatusOr<v1::Round> RecordDefence(const Change& change, int year,
                                          const std::vector<DefenceEntryInput>& entries);
  // Snapshot + defence scores as score-sheet inputs.
  absl::StatusOr<RoundInputs> LoadInputs(int year);
  // Stores the computed sheets and exports, and the sanctions they were ranked under:
  // DEFENCE_SCORED → RANKED, or RANKED again (a recomputation replaces the earlier ranking),
  // provided the round is still at `expected_version` (the version LoadInputs saw, which the
  // caller also sent).
  absl::StatusOr<v1::Round> StoreRanking(const Change& change, int year, int64_t expected_version,
                                         const ComputedRound& round,
                                         const std::string& sanctions_fingerprint);
  // RANKED → PUBLISHED, refused (SANCTIONS_CHANGED) unless `sanctions_now` are the sanctions
  // the ranking was computed under (RULES.md S4, 2026-12).
  absl::StatusOr<v1::Round> Publish(const Change& change, int year, int64_t expected_version,
                                    const std::string& sanctions_now);

  absl::StatusOr<v1::ScoreSheet> GetSheet(int year, const std::string& credit_code);
  // The pull's scope decisions by credit code (only_code "" = every institution).
  absl::StatusOr<std::vector<v1::ScopeDecision>> ListScope(int year, const std::string& after_code,
                                                           const std::string& only_code,
                                                           bool left_out_only, int limit);
  // Defence entries of a round by credit code (only_code "" = every institution).
  absl::StatusOr<std::vector<v1::RecordedDefence>> ListDefence(int year,
                                                               const std::string& after_code,
                                                               const std::string& only_code,
                                                               int limit);
  absl::StatusOr<std::vector<v1::ScoreSheet>> ListSheets(int year, const std::string& after_code,
                                                         int limit);
  // Sheets in ranking order after `after_position` (-1: from the start), of the current
  // publication (0) or of an earlier, superseded one.
  absl::StatusOr<std::vector<std::pair<int, v1::ScoreSheet>>> ListRanking(
      int year, bool excellent_only, int after_position, int limit, int publication = 0);
  absl::StatusOr<std::string> GetExport(int year, const std::string& content,
                                        const std::string& format);

  // Objections to a published round (issue 26; store_objections.cc).
  absl::StatusOr<v1::RoundObjection> FileObjection(const Change& change,
                                                   const std::string& idempotency_key, int year,
                                                   const v1::RoundObjection& objection);
  absl::StatusOr<v1::RoundObjection> GetObjection(int year, int64_t id);
  // In filing order after `after_id`; only_code "" = every institution's.
  absl::StatusOr<std::vector<v1::RoundObjection>> ListObjections(int year, int64_t after_id,
                                                                 const std::string& only_code,
                                                                 int limit);
  // The corrections of every upheld objection of the round, in the order they were upheld.
  absl::StatusOr<std::vector<v1::InputCorrection>> UpheldCorrections(int year);
  absl::StatusOr<v1::DecideRoundObjectionResponse> RejectObjection(const Change& change, int year,
                                                                   int64_t id,
                                                                   int64_t expected_version,
                                                                   const std::string& note);
  // Upholds the objection and makes `corrected` the current publication (the one before it is
  // kept as superseded), provided the round is still at `round_version` (the version the
  // corrected ranking was computed from).
  absl::StatusOr<v1::DecideRoundObjectionResponse> UpholdObjection(
      const Change& change, int year, int64_t id, int64_t expected_version, const std::string& note,
      const std::vector<v1::InputCorrection>& corrections, int64_t round_version,
      const ComputedRound& corrected);

 private:
  std::string Now() const;
  db::Pool& pool_;
  Clock clock_;
};

}  // namespace zhigai::evaluation
