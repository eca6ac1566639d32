#include "services/review/domain/checklist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ChecklistLine L(std::string rule, LineResult result,
                std::optional<Direction> direction = std::nullopt) {
  ChecklistLine line;
  line.rule_id = std::move(rule);
  line.result = result;
  line.direction = direction;
  return line;
}

// A branch applying for both directions: R5.1 waits for the bureau, training lacks events.
Checklist BranchChecklist() {
  Checklist c;
  c.directions = {Direction::kConsulting, Direction::kTraining};
  c.lines = {L("R5.1", LineResult::kNeedsManualDecision),
             L("R5.2", LineResult::kPass, Direction::kConsulting),
             L("R5.2", LineResult::kFail, Direction::kTraining), L("R5.3", LineResult::kPass),
             L("R5.4", LineResult::kPass)};
  return c;
}

BureauDecision Decide(std::string rule, bool pass, std::optional<Direction> d = std::nullopt) {
  return {std::move(rule), d, pass, "reviewed the branch's authorisation letter"};
}

TEST(DirectionOutcomes, ManualLineKeepsTheDirectionPendingAndAFailDecides) {
  std::vector<DirectionOutcome> o = DirectionOutcomes(BranchChecklist());
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].direction, Direction::kConsulting);
  EXPECT_EQ(o[0].eligibility, Eligibility::kPending);
  EXPECT_THAT(o[0].pending_rules, ElementsAre("R5.1"));
  EXPECT_THAT(o[0].failing_rules, IsEmpty());
  EXPECT_EQ(o[1].eligibility, Eligibility::kIneligible);
  EXPECT_THAT(o[1].failing_rules, ElementsAre("R5.2"));
  EXPECT_THAT(o[1].pending_rules, ElementsAre("R5.1"));
}

TEST(ApplyDecision, ManualPassMakesTheDirectionEligible) {
  absl::StatusOr<Checklist> decided = ApplyDecision(BranchChecklist(), Decide("R5.1", true));
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->lines[0].result, LineResult::kNeedsManualDecision);  // kept as computed
  EXPECT_EQ(EffectiveResult(decided->lines[0]), LineResult::kPass);
  std::vector<DirectionOutcome> o = DirectionOutcomes(*decided);
  EXPECT_EQ(o[0].eligibility, Eligibility::kEligible);
  EXPECT_EQ(o[1].eligibility, Eligibility::kIneligible);
}

TEST(ApplyDecision, ManualFailMakesEveryDirectionIneligible) {
  absl::StatusOr<Checklist> decided = ApplyDecision(BranchChecklist(), Decide("R5.1", false));
  ASSERT_TRUE(decided.ok());
  for (const DirectionOutcome& o : DirectionOutcomes(*decided)) {
    EXPECT_EQ(o.eligibility, Eligibility::kIneligible);
  }
}

TEST(ApplyDecision, OverrideOfOneDirectionLeavesTheOtherAlone) {
  absl::StatusOr<Checklist> a = ApplyDecision(BranchChecklist(), Decide("R5.1", true));
  absl::StatusOr<Checklist> b = ApplyDecision(*a, Decide("R5.2", true, Direction::kTraining));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->lines[2].result, LineResult::kFail);
  EXPECT_EQ(EffectiveResult(b->lines[2]), LineResult::kPass);
  for (const DirectionOutcome& o : DirectionOutcomes(*b)) {
    EXPECT_EQ(o.eligibility, Eligibility::kEligible);
  }
  // Overriding CONSULTING's R5.2 to fail does not touch TRAINING.
  absl::StatusOr<Checklist> c = ApplyDecision(*b, Decide("R5.2", false, Direction::kConsulting));
  std::vector<DirectionOutcome> o = DirectionOutcomes(*c);
  EXPECT_EQ(o[0].eligibility, Eligibility::kIneligible);
  EXPECT_EQ(o[1].eligibility, Eligibility::kEligible);
}

TEST(ApplyDecision, LaterDecisionReplacesEarlier) {
  absl::StatusOr<Checklist> a = ApplyDecision(BranchChecklist(), Decide("R5.1", true));
  absl::StatusOr<Checklist> b = ApplyDecision(*a, Decide("R5.1", false));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(EffectiveResult(b->lines[0]), LineResult::kFail);
}

TEST(ApplyDecision, LeavesTheInputUntouched) {
  Checklist original = BranchChecklist();
  ASSERT_TRUE(ApplyDecision(original, Decide("R5.1", true)).ok());
  EXPECT_FALSE(original.lines[0].decision.has_value());
}

TEST(ApplyDecision, ReasonIsRequired) {
  BureauDecision d = Decide("R5.1", true);
  d.reason.clear();
  absl::Status s = ApplyDecision(BranchChecklist(), d).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(ViolationsOf(s).size(), 1u);
  EXPECT_EQ(ViolationsOf(s)[0].field, "decision.reason");
}

TEST(ApplyDecision, UnknownLineIsNotFound) {
  absl::Status unknown = ApplyDecision(BranchChecklist(), Decide("R5.9", true)).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(unknown), "CHECKLIST_LINE_NOT_FOUND");
  // R5.2 lines exist only per direction.
  EXPECT_EQ(ApplyDecision(BranchChecklist(), Decide("R5.2", true)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(LineResultName, StableNames) {
  EXPECT_EQ(LineResultName(LineResult::kPass), "PASS");
  EXPECT_EQ(LineResultName(LineResult::kFail), "FAIL");
  EXPECT_EQ(LineResultName(LineResult::kNeedsManualDecision), "NEEDS_MANUAL_DECISION");
}

}  // namespace
}  // namespace zhigai::review
