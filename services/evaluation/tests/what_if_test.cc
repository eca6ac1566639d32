// What if (issue 26 items 2 and 3): corrections move exactly the lines they should and mark
// what changed; fictitious institutions are scored from explicit inputs; bad requests name
// every field. Pure: no database, no gRPC.
#include "services/evaluation/what_if.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "services/evaluation/domain/testing/rules.h"

namespace zhigai::evaluation {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

InstitutionInput Institution(const std::string& code, int64_t defence) {
  InstitutionInput in;
  in.credit_code = code;
  in.name = "机构" + code;
  in.approved_diagnosis = 2;
  in.declared_projects = 4;
  in.approved_projects = 3;
  in.tests = {{8000, 10000}};
  in.content_ratings = {3, 1, 0, 0};
  in.result_ratings = {2, 2, 0, 0};
  in.defence_scores_hundredths = {defence, defence};
  return in;
}

// A (90), B (80), C (70) on defence alone; D is barred with a perfect defence.
WhatIfRound Round() {
  WhatIfRound round;
  round.rules = &TestRulesV1();
  round.year = 2027;
  round.state = v1::DEFENCE_SCORED;
  round.inputs = {Institution("A", 9000), Institution("B", 8000), Institution("C", 7000),
                  Institution("D", 10000)};
  round.inputs[3].exclusion = Exclusion::kBarred;
  round.inputs[3].exclusion_sanction = "sanctions/4";
  return round;
}

WhatIfRound NoRound() {
  WhatIfRound round;
  round.rules = &TestRulesV1();
  return round;
}

v1::InputCorrection Correct(const std::string& code, const std::string& path) {
  v1::InputCorrection c;
  c.set_credit_code(code);
  c.mutable_update_mask()->add_paths(path);
  return c;
}

std::vector<std::string> Codes(const v1::SimulateRankingResponse& r) {
  std::vector<std::string> out;
  for (const auto& line : r.sheets()) out.push_back(line.sheet().credit_code());
  return out;
}

std::vector<std::string> Changed(const v1::SimulatedSheet& line) {
  return {line.changed_fields().begin(), line.changed_fields().end()};
}

TEST(WhatIf, WithoutCorrectionsNothingChangesAndNoLineIsReturned) {
  v1::SimulateRankingRequest req;
  auto out = SimulateRanking(Round(), req);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->changed_count(), 0);
  EXPECT_THAT(out->sheets(), IsEmpty());
  req.set_include_unchanged(true);
  out = SimulateRanking(Round(), req);
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(Codes(*out), ElementsAre("A", "B", "C", "D"));
  for (const auto& line : out->sheets()) EXPECT_THAT(Changed(line), IsEmpty());
}

TEST(WhatIf, ACorrectedDefenceScoreMovesTheLinesItPassesAndMarksEachChange) {
  v1::SimulateRankingRequest req;
  v1::InputCorrection c = Correct("C", "defence_scores_hundredths");
  c.mutable_inputs()->add_defence_scores_hundredths(9500);
  c.mutable_inputs()->add_defence_scores_hundredths(9500);
  c.mutable_inputs()->set_verified_complaints(99);  // not in the mask: ignored
  *req.add_corrections() = c;
  auto out = SimulateRanking(Round(), req);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_THAT(Codes(*out), ElementsAre("C", "A", "B"));
  EXPECT_EQ(out->changed_count(), 3);
  const auto& first = out->sheets(0);
  EXPECT_EQ(first.sheet().rank(), 1);
  EXPECT_EQ(first.recorded().rank(), 3);
  EXPECT_EQ(first.sheet().verified_complaints(), 0);
  EXPECT_THAT(Changed(first),
              UnorderedElementsAre("rank", "decided_by", "total", "s3", "items[S3].points"));
  EXPECT_THAT(Changed(out->sheets(1)), UnorderedElementsAre("rank", "decided_by"));
  EXPECT_THAT(Changed(out->sheets(2)), ElementsAre("rank"));
}

TEST(WhatIf, LiftingASanctionRanksTheInstitutionAndPushesTheOthersDown) {
  v1::SimulateRankingRequest req;
  *req.add_corrections() = Correct("D", "exclusion");  // "" lifts
  auto out = SimulateRanking(Round(), req);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_THAT(Codes(*out), ElementsAre("D", "A", "B", "C"));
  EXPECT_EQ(out->sheets(0).sheet().rank(), 1);
  EXPECT_FALSE(out->sheets(0).sheet().has_exclusion());
  EXPECT_EQ(out->sheets(0).recorded().exclusion().reason(), "BARRED");
  // Barred, it had no place, was not excellent and was decided by nothing.
  EXPECT_THAT(Changed(out->sheets(0)),
              UnorderedElementsAre("rank", "excellent", "decided_by", "exclusion"));
  EXPECT_EQ(out->sheets(3).sheet().rank(), 4);
}

TEST(WhatIf, TheComparisonIsAgainstTheStoredRankingWhenThereIsOne) {
  WhatIfRound round = Round();
  v1::SimulateRankingRequest all;
  all.set_include_unchanged(true);
  auto stored = SimulateRanking(round, all);
  ASSERT_TRUE(stored.ok());
  for (const auto& line : stored->sheets())
    round.recorded[line.sheet().credit_code()] = line.sheet();
  // A stored sheet that says B was 1st: the simulation marks B against that, not a recomputation.
  round.recorded["B"].set_rank(1);
  auto out = SimulateRanking(round, v1::SimulateRankingRequest());
  ASSERT_TRUE(out.ok());
  ASSERT_THAT(Codes(*out), ElementsAre("B"));
  EXPECT_THAT(Changed(out->sheets(0)), ElementsAre("rank"));
}

TEST(WhatIf, AFictitiousInstitutionIsScoredFromExplicitInputsWithoutARound) {
  v1::SimulateRankingRequest req;
  v1::HypotheticalInstitution* h = req.add_hypothetical();
  h->set_credit_code("X");
  h->set_display_name("假设机构");
  h->mutable_inputs()->add_defence_scores_hundredths(10000);
  h->mutable_inputs()->add_defence_scores_hundredths(10000);
  auto out = SimulateRanking(NoRound(), req);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->sheets_size(), 1);
  const auto& line = out->sheets(0);
  EXPECT_TRUE(line.hypothetical());
  EXPECT_FALSE(line.has_recorded());
  EXPECT_EQ(line.sheet().rank(), 1);
  EXPECT_TRUE(line.sheet().name().empty()) << "no resource behind it";
  EXPECT_EQ(line.sheet().items(kS3).points(), "30.00");
  EXPECT_EQ(line.sheet().items(kS1_1).points(), "0.00");
  EXPECT_EQ(line.sheet().total(), "30.00");
  for (const auto& item : line.sheet().items()) EXPECT_THAT(item.sources(), IsEmpty());
  EXPECT_EQ(out->round(), "");
}

TEST(WhatIf, AFictitiousInstitutionJoinsTheRoundsRankingWithoutChangingTheRecordedLines) {
  v1::SimulateRankingRequest req;
  v1::HypotheticalInstitution* h = req.add_hypothetical();
  h->set_credit_code("X");
  *h->mutable_inputs() = v1::ScoreInputs();
  h->mutable_inputs()->set_approved_diagnosis(2);
  h->mutable_inputs()->set_declared_projects(4);
  h->mutable_inputs()->set_approved_projects(3);
  v1::TestScore* t = h->mutable_inputs()->add_tests();
  t->set_score_hundredths(8000);
  t->set_full_marks_hundredths(10000);
  *h->mutable_inputs()->mutable_content_ratings() = [] {
    v1::RatingCounts r;
    r.set_very_satisfied(3);
    r.set_fairly_satisfied(1);
    return r;
  }();
  h->mutable_inputs()->mutable_result_ratings()->set_very_satisfied(2);
  h->mutable_inputs()->mutable_result_ratings()->set_fairly_satisfied(2);
  h->mutable_inputs()->add_defence_scores_hundredths(9000);
  h->mutable_inputs()->add_defence_scores_hundredths(9000);
  auto out = SimulateRanking(Round(), req);
  ASSERT_TRUE(out.ok()) << out.status();
  // X equals A on every criterion: it shares A's first place (listed after it by label), A's
  // line does not change, and B and C each move down one.
  ASSERT_THAT(Codes(*out), ElementsAre("X", "B", "C"));
  EXPECT_EQ(out->sheets(0).sheet().rank(), 1);
  EXPECT_EQ(out->sheets(0).sheet().decided_by(), "SHARED_RANK");
  EXPECT_EQ(out->sheets(1).sheet().rank(), 3);
  EXPECT_EQ(out->sheets(2).sheet().rank(), 4);
  EXPECT_EQ(out->changed_count(), 2);
}

TEST(WhatIf, BadRequestsNameEveryFieldAndTheRule) {
  v1::SimulateRankingRequest req;
  *req.add_corrections() = Correct("Z", "tests");          // not in the round
  *req.add_corrections() = Correct("A", "defence_score");  // no such field
  v1::InputCorrection empty;
  empty.set_credit_code("B");
  *req.add_corrections() = empty;  // empty mask
  v1::InputCorrection bad_score = Correct("C", "defence_scores_hundredths");
  bad_score.mutable_inputs()->add_defence_scores_hundredths(10001);
  *req.add_corrections() = bad_score;  // out of 0..100
  v1::InputCorrection bad_exclusion = Correct("D", "exclusion");
  bad_exclusion.mutable_inputs()->set_exclusion("SUSPENDED");
  *req.add_corrections() = bad_exclusion;
  *req.add_corrections() = Correct("C", "tests");  // C twice
  req.add_hypothetical()->set_credit_code("A");    // taken by the round
  auto out = SimulateRanking(Round(), req);
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : ViolationsOf(out.status())) fields.push_back(v.field);
  EXPECT_THAT(fields,
              UnorderedElementsAre("corrections[0].credit_code", "corrections[1].update_mask",
                                   "corrections[2].update_mask",
                                   "corrections[3].inputs.defence_scores_hundredths[0]",
                                   "corrections[4].inputs.exclusion", "corrections[5].credit_code",
                                   "hypothetical[0].credit_code"));
  auto nothing = SimulateRanking(NoRound(), v1::SimulateRankingRequest());
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zhigai::evaluation
