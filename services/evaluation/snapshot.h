// The pulled figures of a round (the snapshot) as plain values, and the pure rules that turn
// them into score-sheet inputs: which sanction excludes an institution (R14.4, R14.5), which
// institutions still need a defence entry (S3), whether the snapshot may be frozen (S1.3).
// No gRPC, no database: the pull (sources.h) fills these, the store persists them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/evaluation/domain/score_sheet.h"

namespace zhigai::evaluation {

// One source service's answer in a pull.
struct SourcePull {
  std::string source;  // "registry", "tracking", "training", "feedback"
  std::string method;  // the RPC(s) asked
  int year = 0;        // the year asked for
  absl::Time pulled_at;
  int institutions = 0;
  std::string intake_mode, as_of, source_revision;  // tracking only
};

struct SnapshotTest {
  std::string session;
  int64_t score_hundredths = 0;
  int64_t full_marks_hundredths = 0;
  bool unexcused_absence = false;
  bool no_result_at_close = false;  // R8.1 (2026-12): the absence is a result missing at close
};

// One institution's pulled figures.
struct SnapshotInstitution {
  std::string credit_code;
  std::string display_name;
  std::vector<int> directory_years;  // the city directories (Y, and Y−1 when asked) it is in
  int64_t declared_diagnosis = 0, declared_solution_design = 0;
  int64_t approved_diagnosis = 0, approved_solution_design = 0;
  std::vector<SnapshotTest> tests;
  int64_t excuses_pending = 0;
  int64_t test_results_missing = 0;  // at sessions still open (R8.1 Decision 2026-12)
  RatingCounts content, results;
  int64_t verified_complaints = 0, verified_serious_complaints = 0;
  Exclusion exclusion = Exclusion::kNone;
  std::string exclusion_source;  // "sanctions/17"
  // Tracking's data state and the platform rows behind the project figures (sources.cc).
  std::string project_source;
};

// Why an institution found in the city directories is in the snapshot or left out (issue 28).
enum class ScopeReason {
  kInDirectory,           // an active or suspended entry of Y (or Y−1)
  kRemovedButSanctioned,  // every entry removed, but barred or cancelled in Y (S4, 2026-12)
  kRemovedFromDirectory,  // every entry removed, no sanction in Y: left out
};

struct ScopeEntryRow {
  std::string name;  // "directoryEntries/7"
  int year = 0;
  std::string status;  // ACTIVE, SUSPENDED, REMOVED
};

struct ScopeRow {
  std::string credit_code;
  std::string display_name;
  ScopeReason reason = ScopeReason::kInDirectory;
  std::vector<ScopeEntryRow> entries;
};

struct ScopeReasonText {
  absl::string_view reason, rule, english, chinese;
};
const ScopeReasonText& DescribeScope(ScopeReason reason);
bool InScope(ScopeReason reason);

struct PulledSnapshot {
  std::vector<SnapshotInstitution> institutions;  // by credit code
  std::vector<SourcePull> sources;
  std::vector<ScopeRow> scope;  // every institution looked at, by credit code
};

// The panel's scores of one institution as the bureau enters them (S3).
struct DefenceEntryInput {
  std::string credit_code;
  std::vector<int64_t> member_scores_hundredths;  // empty: did not defend
};

// A sanction as the registry reports it, reduced to what the evaluation needs.
struct SanctionFact {
  std::string name;  // "sanctions/17"
  std::string credit_code;
  bool bar = false;  // BAR (R14.5); otherwise CANCEL (R14.4)
  bool lifted = false;
  std::string lift_date;  // YYYY-MM-DD when lifted: the first day it no longer applied
};

// The exclusion of each institution from the sanctions in force on some day of Y (the
// registry's year filter, which takes lifts into account: a lift ends a sanction early). A
// sanction lifted without a lift day (recorded before lifts had dates) never applied and does
// not count; one lifted during Y was in force before and does (RULES.md S4 2026-12: "in force
// on any day of year Y"). Decision (RULES.md silent): when both apply, the
// bar (R14.5) is named, being the heavier and longer one; among equals the first by name.
std::map<std::string, std::pair<Exclusion, std::string>> ExclusionsFrom(
    absl::Span<const SanctionFact> sanctions);

// RULES.md S4 (2026-12): a bar or cancellation in force on any day of Y keeps an institution
// out of Y's ranking whenever it was imposed, so the sanctions are read again when ranking:
// each input's exclusion becomes what `sanctions` (in force in Y, as read now) say, replacing
// what the pull saw.
void ApplyCurrentSanctions(absl::Span<const SanctionFact> sanctions,
                           std::vector<InstitutionInput>& inputs);

// FAILED_PRECONDITION DEFENCE_NOT_SCORED naming every institution to be ranked (no exclusion)
// without a defence entry: a sanction lifted after the defence was recorded brings one back.
absl::Status CheckDefenceEntries(absl::Span<const InstitutionInput> inputs,
                                 const std::set<std::string>& with_entry);

// What of `sanctions` bears on the institutions in `codes`, as text that is equal exactly
// when the same sanctions are in force for them (lifting one changes it): kept with the
// ranking and compared at publication.
std::string SanctionFingerprint(absl::Span<const SanctionFact> sanctions,
                                const std::set<std::string>& codes);

// FAILED_PRECONDITION SANCTIONS_CHANGED (S4) when the sanctions read at publication are not
// those the ranking used.
absl::Status CheckSanctionsUnchanged(const std::string& at_ranking, const std::string& now);

// The score-sheet input of an institution: S1.2 counts all declared and approved projects of
// both kinds; the defence scores come from the bureau's entry (none → S3 = 0).
InstitutionInput ToInput(const SnapshotInstitution& in,
                         const std::vector<int64_t>& defence_scores_hundredths);

// Decision (S3, RULES.md silent on absence): a round is defence-scored when every institution
// that will be ranked has a defence entry (an empty entry records that it did not defend);
// barred or cancelled institutions are not ranked and need none.
bool NeedsDefenceEntry(const SnapshotInstitution& in);

// Decision (S1.3, R8.1): a test absence whose excuse is still undecided scores 0 only
// provisionally, so the snapshot cannot be frozen while one is pending; FAILED_PRECONDITION
// EXCUSES_PENDING naming the count. An empty snapshot (nobody in the directory) cannot be
// frozen either: NO_INSTITUTIONS_IN_SCOPE (R10.1).
absl::Status CheckFreezable(int64_t institutions, int64_t excuses_pending,
                            int64_t test_results_missing);

}  // namespace zhigai::evaluation
