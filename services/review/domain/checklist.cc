#include "services/review/domain/checklist.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

bool LineApplies(const ChecklistLine& line, Direction direction) {
  return !line.direction.has_value() || *line.direction == direction;
}

}  // namespace

absl::string_view LineResultName(LineResult result) {
  switch (result) {
    case LineResult::kPass:
      return "PASS";
    case LineResult::kFail:
      return "FAIL";
    case LineResult::kNeedsManualDecision:
      return "NEEDS_MANUAL_DECISION";
  }
  return "UNKNOWN";
}

LineResult EffectiveResult(const ChecklistLine& line) {
  if (line.decision.has_value()) return line.decision->pass ? LineResult::kPass : LineResult::kFail;
  return line.result;
}

absl::StatusOr<Checklist> ApplyDecision(const Checklist& checklist,
                                        const BureauDecision& decision) {
  if (decision.reason.empty()) {
    return InvalidField("decision.reason", decision.rule_id.empty() ? "R5" : decision.rule_id,
                        "a bureau decision on a checklist line needs a reason",
                        "经信部门对审核项的决定必须说明理由");
  }
  Checklist out = checklist;
  for (ChecklistLine& line : out.lines) {
    if (line.rule_id == decision.rule_id && line.direction == decision.direction) {
      line.decision = decision;
      return out;
    }
  }
  const std::string where =
      decision.direction ? absl::StrCat(" for direction ", DirectionName(*decision.direction))
                         : std::string();
  return Error(absl::StatusCode::kNotFound, "CHECKLIST_LINE_NOT_FOUND",
               absl::StrCat("the checklist has no line for rule ", decision.rule_id, where),
               absl::StrCat("审核清单中没有规则 ", decision.rule_id, " 的审核项"), "R5");
}

std::vector<DirectionOutcome> DirectionOutcomes(const Checklist& checklist) {
  std::vector<DirectionOutcome> outcomes;
  for (Direction direction : checklist.directions) {
    DirectionOutcome outcome;
    outcome.direction = direction;
    for (const ChecklistLine& line : checklist.lines) {
      if (!LineApplies(line, direction)) continue;
      switch (EffectiveResult(line)) {
        case LineResult::kPass:
          break;
        case LineResult::kFail:
          outcome.failing_rules.push_back(line.rule_id);
          break;
        case LineResult::kNeedsManualDecision:
          outcome.pending_rules.push_back(line.rule_id);
          break;
      }
    }
    if (!outcome.failing_rules.empty()) {
      outcome.eligibility = Eligibility::kIneligible;
    } else if (!outcome.pending_rules.empty()) {
      outcome.eligibility = Eligibility::kPending;
    } else {
      outcome.eligibility = Eligibility::kEligible;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace zhigai::review
