// The R5 eligibility checklist: one line per rule (R5.2 one line per direction applied for),
// each PASS, FAIL or NEEDS_MANUAL_DECISION with the figures behind it, plus the bureau's
// decisions on lines. eligibility.h computes it; this file applies decisions and derives
// the result per direction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/review/domain/direction.h"

namespace zhigai::review {

enum class LineResult { kPass, kFail, kNeedsManualDecision };

absl::string_view LineResultName(LineResult result);  // "PASS", "FAIL", "NEEDS_MANUAL_DECISION"

// A number behind a line, e.g. {"qualifying_staff", 2}, {"threshold", 3}.
struct Figure {
  std::string name;
  int64_t value = 0;
};

// The city bureau's decision on one line: decides a NEEDS_MANUAL_DECISION line, or
// overrides a computed PASS/FAIL. A reason is required.
struct BureauDecision {
  std::string rule_id;                 // "R5.1" ... "R5.4"
  std::optional<Direction> direction;  // required for the per-direction R5.2 lines
  bool pass = false;
  std::string reason;
};

struct ChecklistLine {
  std::string rule_id;
  std::optional<Direction> direction;     // set only on lines that judge one direction (R5.2)
  LineResult result = LineResult::kFail;  // as computed at submission, never rewritten
  std::string reason_en;
  std::string reason_zh;
  std::vector<Figure> figures;
  std::optional<BureauDecision> decision;  // latest bureau decision, if any
};

struct Checklist {
  std::vector<Direction> directions;  // directions applied for
  std::vector<ChecklistLine> lines;
};

// The line's result after the bureau's decision: the decision wins when present.
LineResult EffectiveResult(const ChecklistLine& line);

// The checklist with `decision` recorded on its line (a later decision replaces an earlier
// one). INVALID_ARGUMENT when the reason is empty; NOT_FOUND (CHECKLIST_LINE_NOT_FOUND)
// when no line has that rule ID and direction.
absl::StatusOr<Checklist> ApplyDecision(const Checklist& checklist, const BureauDecision& decision);

enum class Eligibility { kEligible, kIneligible, kPending };

struct DirectionOutcome {
  Direction direction = Direction::kConsulting;
  Eligibility eligibility = Eligibility::kPending;
  std::vector<std::string> failing_rules;  // effective FAIL lines
  std::vector<std::string> pending_rules;  // undecided NEEDS_MANUAL_DECISION lines
};

// Per direction applied for: ELIGIBLE when every line that applies to it is effectively
// PASS; INELIGIBLE when any is effectively FAIL (a fail decides even while another line
// still waits); otherwise PENDING (a manual decision is outstanding).
std::vector<DirectionOutcome> DirectionOutcomes(const Checklist& checklist);

}  // namespace zhigai::review
