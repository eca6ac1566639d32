// R14.5: complaints that bar an institution for three years.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "libs/core/sanction_rules.h"

namespace zhigai::feedback {

// Where a complaint stands after a bureau looked at it.
enum class ComplaintOutcome {
  kPending,             // not yet verified
  kVerifiedSerious,     // verified, caused serious harm (造成恶劣影响)
  kVerifiedNotSerious,  // verified, but no serious harm
  kRejected,            // not substantiated
};

// "PENDING", "VERIFIED_SERIOUS", "VERIFIED_NOT_SERIOUS", "REJECTED".
absl::string_view ComplaintOutcomeName(ComplaintOutcome outcome);
std::optional<ComplaintOutcome> ParseComplaintOutcome(absl::string_view name);

// R14.5 Decision: only complaints a bureau verified as serious count towards a bar.
bool CountsTowardsBar(ComplaintOutcome outcome);

// One complaint against the institution under evaluation.
struct Complaint {
  std::string complainant_credit_code;  // the complaining enterprise
  ComplaintOutcome outcome;
  absl::CivilDay verified_on;  // the bureau's verification day; ignored unless verified
};

enum class BarTrigger {
  kNone,
  kDistinctEnterprises,  // >= 3 distinct enterprises complained (bar_distinct_enterprises)
  kRepeatedEnterprise,   // >= 3 complaints from one (bar_complaints_from_one_enterprise)
};

struct BarDecision {
  bool barred = false;
  BarTrigger trigger = BarTrigger::kNone;
  absl::CivilDay start;           // first barred day (set when barred)
  absl::CivilDay end;             // BarEnd(start): first day no longer barred (set when barred)
  int rule_version = 0;           // data/sanction-rules.tsv: the version in force on `start`
  int qualifying_complaints = 0;  // all VERIFIED_SERIOUS complaints
  int distinct_enterprises = 0;   // distinct complainants among them
  // DecideBars: the complaints (indexes into its input) this bar counted, in verification order.
  std::vector<size_t> counted;

  friend bool operator==(const BarDecision&, const BarDecision&) = default;
};

// A bar that a bureau lifted (the registry's LiftSanction) before its end.
struct LiftedBar {
  absl::CivilDay start;      // the bar's first day
  absl::CivilDay lifted_on;  // first day it no longer applied
};

// R14.5 with the 2026-12 decisions: every bar the complaints call for, in start order.
// Complaints count toward a bar only with others verified in the same calendar year; each
// counts toward at most one bar (the bar consumes the complaints it counted); a complaint
// verified while an earlier bar is in force (not yet ended, not lifted by then) counts toward
// none, and once that bar has ended or was lifted new complaints can bar the institution again.
// Deterministic in the input order, like DecideBar. The thresholds and the term are those of
// the version of `rules` in force on the day a complaint is verified (issue 26); a complaint
// verified before the first version counts toward nothing.
std::vector<BarDecision> DecideBars(absl::Span<const Complaint> complaints,
                                    const std::vector<core::SanctionRules>& rules,
                                    absl::Span<const LiftedBar> lifted = {});

// The first bar of DecideBars (barred = false when there is none), with the counts of all
// qualifying complaints. Only VERIFIED_SERIOUS complaints count. Taken in verification order,
// the bar starts on the verification day of the complaint that first makes ">= 3 distinct
// enterprises or >= 3 from one enterprise" true within one calendar year. Filing order and
// input order do not matter; complaints verified on the same day are ordered by complainant
// code so that `trigger` is deterministic too. Re-evaluating with more complaints returns the
// same start, so the sanction command id (sanction_command.h) stays the same.
BarDecision DecideBar(absl::Span<const Complaint> complaints,
                      const std::vector<core::SanctionRules>& rules);

// Decision (task): the bar covers [start, BarEnd(start)), three calendar years under version 1,
// so the third anniversary of the start is the first free day. A 29 February start has no
// anniversary; absl::CivilDay normalises 29 Feb of year+3 to 1 March, so 28 February is the last
// barred day. `in_force`: the version in force on `start`.
absl::CivilDay BarEnd(absl::CivilDay start, const core::SanctionRules& in_force);

// start <= day < BarEnd(start) under the version in force on `start` (false before the first
// version: no bar can start then).
bool IsBarredOn(absl::CivilDay start, absl::CivilDay day,
                const std::vector<core::SanctionRules>& rules);

}  // namespace zhigai::feedback
