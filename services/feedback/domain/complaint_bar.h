// R14.5: complaints that bar an institution for three years.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"

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
  kDistinctEnterprises,  // >= 3 distinct enterprises complained
  kRepeatedEnterprise,   // >= 3 complaints from one enterprise
};

struct BarDecision {
  bool barred = false;
  BarTrigger trigger = BarTrigger::kNone;
  absl::CivilDay start;           // first barred day (set when barred)
  absl::CivilDay end;             // BarEnd(start): first day no longer barred (set when barred)
  int qualifying_complaints = 0;  // all VERIFIED_SERIOUS complaints
  int distinct_enterprises = 0;   // distinct complainants among them
};

// Decides R14.5 for all complaints against one institution. Only VERIFIED_SERIOUS complaints
// count. Taken in verification order, the bar starts on the verification day of the complaint
// that first makes ">= 3 distinct enterprises or >= 3 from one enterprise" true. Filing order
// and input order do not matter; complaints verified on the same day are ordered by
// complainant code so that `trigger` is deterministic too. Complaints are neither windowed nor
// consumed: re-evaluating with more complaints returns the same start, so the sanction command
// id (sanction_command.h) stays the same.
BarDecision DecideBar(absl::Span<const Complaint> complaints);

// Decision (task): the bar covers [start, BarEnd(start)), three calendar years, so the third
// anniversary of the start is the first free day. A 29 February start has no anniversary;
// absl::CivilDay normalises 29 Feb of year+3 to 1 March, so 28 February is the last barred day.
absl::CivilDay BarEnd(absl::CivilDay start);

// start <= day < BarEnd(start).
bool IsBarredOn(absl::CivilDay start, absl::CivilDay day);

}  // namespace zhigai::feedback
