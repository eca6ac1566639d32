// The round rules around the domain: sanctions → exclusions, snapshot → inputs, the state
// table, the freeze and defence decisions, and the computed round's determinism.
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/domain/testing/rules.h"
#include "services/evaluation/round_states.h"
#include "services/evaluation/snapshot.h"

namespace zhigai::evaluation {
namespace {

TEST(Exclusions, SanctionsLiftedWithoutADayNeverAppliedAndDoNotCount) {
  auto out =
      ExclusionsFrom({{"sanctions/1", "A", true, true, ""}, {"sanctions/2", "B", false, true, ""}});
  EXPECT_TRUE(out.empty());
}

TEST(Exclusions, ASanctionLiftedDuringTheYearWasInForceBeforeAndCounts) {
  // The registry's year filter returns it only if it applied on some day of Y (S4 2026-12).
  auto out = ExclusionsFrom({{"sanctions/3", "A", true, true, "2027-06-01"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out["A"].first, Exclusion::kBarred);
}

TEST(Exclusions, BarWinsOverCancelWhateverTheOrder) {
  auto out = ExclusionsFrom({{"sanctions/5", "A", false, false, ""},
                             {"sanctions/9", "A", true, false, ""},
                             {"sanctions/3", "B", true, false, ""},
                             {"sanctions/4", "B", false, false, ""}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out["A"].first, Exclusion::kBarred);
  EXPECT_EQ(out["A"].second, "sanctions/9");
  EXPECT_EQ(out["B"].first, Exclusion::kBarred);
  EXPECT_EQ(out["B"].second, "sanctions/3");
}

TEST(Exclusions, CancelAloneCancelsAndTheFirstByNameIsNamed) {
  auto out = ExclusionsFrom(
      {{"sanctions/8", "A", false, false, ""}, {"sanctions/7", "A", false, false, ""}});
  EXPECT_EQ(out["A"].first, Exclusion::kCancelled);
  EXPECT_EQ(out["A"].second, "sanctions/7");
}

SnapshotInstitution Sample() {
  SnapshotInstitution in;
  in.credit_code = "C1";
  in.display_name = "机构一";
  in.declared_diagnosis = 4;
  in.declared_solution_design = 6;
  in.approved_diagnosis = 3;
  in.approved_solution_design = 5;
  in.tests = {{"testSessions/1", 8550, 10000, false}, {"testSessions/2", 0, 5000, true}};
  in.content = {1, 2, 3, 4};
  in.results = {4, 3, 2, 1};
  in.verified_complaints = 2;
  in.exclusion = Exclusion::kCancelled;
  return in;
}

TEST(ToInput, AddsBothKindsForThePassRateAndKeepsEveryFigure) {
  InstitutionInput in = ToInput(Sample(), {9000, 8050});
  EXPECT_EQ(in.credit_code, "C1");
  EXPECT_EQ(in.name, "机构一");
  EXPECT_EQ(in.approved_diagnosis, 3);
  EXPECT_EQ(in.approved_solution_design, 5);
  EXPECT_EQ(in.declared_projects, 10);
  EXPECT_EQ(in.approved_projects, 8);
  ASSERT_EQ(in.tests.size(), 2u);
  EXPECT_EQ(in.tests[0].score_hundredths, 8550);
  EXPECT_EQ(in.tests[1].full_marks_hundredths, 5000);
  EXPECT_EQ(in.content_ratings.average, 3);
  EXPECT_EQ(in.result_ratings.very_satisfied, 4);
  EXPECT_EQ(in.defence_scores_hundredths, (std::vector<int64_t>{9000, 8050}));
  EXPECT_EQ(in.verified_complaints, 2);
  EXPECT_EQ(in.exclusion, Exclusion::kCancelled);
}

TEST(Defence, OnlyInstitutionsToRankNeedAnEntry) {
  SnapshotInstitution in = Sample();
  EXPECT_FALSE(NeedsDefenceEntry(in));
  in.exclusion = Exclusion::kBarred;
  EXPECT_FALSE(NeedsDefenceEntry(in));
  in.exclusion = Exclusion::kNone;
  EXPECT_TRUE(NeedsDefenceEntry(in));
}

TEST(Freeze, EmptySnapshotPendingExcusesAndOpenSessionsAreRefused) {
  EXPECT_TRUE(CheckFreezable(1, 0, 0).ok());
  absl::Status empty = CheckFreezable(0, 0, 0);
  EXPECT_EQ(empty.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(empty), "NO_INSTITUTIONS_IN_SCOPE");
  absl::Status pending = CheckFreezable(5, 1, 0);
  EXPECT_EQ(ReasonOf(pending), "EXCUSES_PENDING");
  EXPECT_EQ(RuleOf(pending), "R8.1");
  // R8.1 Decision (2026-12): a missing result is an absence only once its session is closed.
  absl::Status open = CheckFreezable(5, 0, 1);
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(open), "TEST_SESSIONS_OPEN");
  EXPECT_EQ(RuleOf(open), "R8.1");
}

struct StepCase {
  v1::RoundState state;
  Step step;
  const char* reason;  // "" = allowed
};

TEST(States, EveryStateAndStep) {
  const StepCase cases[] = {
      {v1::OPEN, Step::kPull, ""},
      {v1::METRICS_FROZEN, Step::kPull, "SNAPSHOT_FROZEN"},
      {v1::PUBLISHED, Step::kPull, "SNAPSHOT_FROZEN"},
      {v1::OPEN, Step::kFreeze, ""},
      {v1::METRICS_FROZEN, Step::kFreeze, "ROUND_NOT_OPEN"},
      {v1::OPEN, Step::kDefence, "METRICS_NOT_FROZEN"},
      {v1::METRICS_FROZEN, Step::kDefence, ""},
      {v1::DEFENCE_SCORED, Step::kDefence, ""},
      {v1::RANKED, Step::kDefence, "ROUND_ALREADY_RANKED"},
      {v1::PUBLISHED, Step::kDefence, "ROUND_ALREADY_PUBLISHED"},
      {v1::OPEN, Step::kRank, "DEFENCE_NOT_SCORED"},
      {v1::METRICS_FROZEN, Step::kRank, "DEFENCE_NOT_SCORED"},
      {v1::DEFENCE_SCORED, Step::kRank, ""},
      {v1::RANKED, Step::kRank, ""},  // again, when a sanction changed since (S4, 2026-12)
      {v1::PUBLISHED, Step::kRank, "ROUND_ALREADY_PUBLISHED"},
      {v1::DEFENCE_SCORED, Step::kPublish, "ROUND_NOT_RANKED"},
      {v1::RANKED, Step::kPublish, ""},
      {v1::PUBLISHED, Step::kPublish, "ROUND_ALREADY_PUBLISHED"},
  };
  for (const StepCase& c : cases) {
    absl::Status s = CheckStep(c.state, c.step);
    SCOPED_TRACE(v1::RoundState_Name(c.state));
    if (std::string(c.reason).empty()) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(ReasonOf(s), c.reason);
      EXPECT_EQ(RuleOf(s), "R10.1");
    }
  }
}

TEST(Compute, RankingOrderExclusionsAndDeterminism) {
  InstitutionInput a;  // 30 + 10 + 0 + 0 + 0 + 30 = 70
  a.credit_code = "A";
  a.name = "甲";
  a.approved_diagnosis = 10;
  a.approved_solution_design = 10;
  a.declared_projects = 20;
  a.approved_projects = 20;
  a.defence_scores_hundredths = {9500};
  InstitutionInput b = a;  // barred: scored, not ranked
  b.credit_code = "B";
  b.exclusion = Exclusion::kBarred;
  InstitutionInput c;  // 0 + 0 + 0 + 0 + 0 + 15 = 15
  c.credit_code = "C";
  c.defence_scores_hundredths = {6000};
  std::vector<InstitutionInput> inputs = {a, b, c};
  auto first = ComputeRound(2026, inputs, TestRulesV1());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->sheets.size(), 3u);
  EXPECT_EQ(first->sheets[0].credit_code(), "A");
  EXPECT_EQ(first->sheets[0].rank(), 1);
  EXPECT_EQ(first->sheets[0].total(), "70.00");
  EXPECT_TRUE(first->sheets[0].excellent());
  EXPECT_EQ(first->sheets[0].name(), "evaluationRounds/2026/scoreSheets/A");
  EXPECT_EQ(first->sheets[1].credit_code(), "C");
  EXPECT_EQ(first->sheets[1].rank(), 2);
  EXPECT_EQ(first->sheets[1].decided_by(), "TOTAL");
  EXPECT_EQ(first->sheets[2].credit_code(), "B");
  EXPECT_EQ(first->sheets[2].rank(), 0);
  EXPECT_EQ(first->sheets[2].exclusion().reason(), "BARRED");
  EXPECT_EQ(first->sheets[2].exclusion().rule(), "R14.5");
  EXPECT_EQ(RankingEntryOf(first->sheets[2]).exclusion().rule(), "R14.5");
  auto again = ComputeRound(2026, inputs, TestRulesV1());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*ExportSheets(inputs, TestRulesV1(), true), *ExportSheets(inputs, TestRulesV1(), true));
  EXPECT_EQ(first->ranking_csv, again->ranking_csv);
  EXPECT_EQ(first->ranking_json, again->ranking_json);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first->sheets[i].SerializeAsString(), again->sheets[i].SerializeAsString());
  }
}

TEST(Compute, ExactTextOfWholeAndFractionalPoints) {
  EXPECT_EQ(ExactText(Rational::Integer(8)), "8");
  EXPECT_EQ(ExactText(*Rational::Fraction(338, 40)), "169/20");
}

}  // namespace
}  // namespace zhigai::evaluation
