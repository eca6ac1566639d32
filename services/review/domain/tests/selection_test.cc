#include "services/review/domain/selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ValidCall;

// An application whose mean is `hundredths`, from `experts` experts.
ScoredApplication At(std::string id, int64_t hundredths, int experts = 1) {
  return {std::move(id), {hundredths * 100 * experts, experts, experts}};
}

std::vector<std::string> SelectedIds(const SelectionResult& r) {
  std::vector<std::string> ids;
  for (const RankedApplication& a : r.ranking) {
    if (a.selected) ids.push_back(a.application_id);
  }
  return ids;
}

Call QuotaCall(int quota, TiePolicy policy) {
  Call call = ValidCall();
  call.directions[0].selection = {SelectionMode::kQuota, quota, 0};  // CONSULTING
  call.tie_policy = policy;
  return call;
}

SelectionResult Select(const Call& call, Direction d, const std::vector<ScoredApplication>& s) {
  absl::StatusOr<SelectionResult> r = SelectApplicants(call, d, s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SelectionResult{};
}

const std::vector<ScoredApplication> kTiedAtThird = {At("e", 6000), At("c", 7000), At("a", 9000),
                                                     At("d", 7000, 3), At("b", 8000)};

TEST(SelectQuota, TopNWithoutTies) {
  SelectionResult r = Select(QuotaCall(3, TiePolicy::kAllOut), Direction::kConsulting,
                             {At("a", 9000), At("b", 8000), At("c", 7000), At("d", 6000)});
  EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b", "c"));
  EXPECT_FALSE(r.boundary_tie);
  EXPECT_EQ(r.selected_count, 3);
}

TEST(SelectQuota, AllInSelectsEveryoneTiedOnTheLastPlace) {
  SelectionResult r = Select(QuotaCall(3, TiePolicy::kAllIn), Direction::kConsulting, kTiedAtThird);
  EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b", "c", "d"));
  EXPECT_TRUE(r.boundary_tie);
  EXPECT_EQ(r.selected_count, 4);
}

TEST(SelectQuota, AllOutDropsEveryoneTiedOnTheLastPlace) {
  SelectionResult r =
      Select(QuotaCall(3, TiePolicy::kAllOut), Direction::kConsulting, kTiedAtThird);
  EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b"));
  EXPECT_TRUE(r.boundary_tie);
  EXPECT_EQ(r.selected_count, 2);
}

TEST(SelectQuota, TieThatEndsOnTheQuotaIsNoBoundaryTie) {
  for (TiePolicy p : {TiePolicy::kAllIn, TiePolicy::kAllOut}) {
    SelectionResult r = Select(QuotaCall(3, p), Direction::kConsulting,
                               {At("a", 9000), At("b", 7000), At("c", 7000), At("d", 6000)});
    EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b", "c"));
    EXPECT_FALSE(r.boundary_tie);
  }
}

TEST(SelectQuota, TieAboveTheBoundaryDoesNotMatter) {
  SelectionResult r = Select(QuotaCall(3, TiePolicy::kAllOut), Direction::kConsulting,
                             {At("a", 9000), At("b", 9000), At("c", 8000), At("d", 7000)});
  EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b", "c"));
}

TEST(SelectQuota, FewerApplicantsThanQuotaAreAllSelected) {
  SelectionResult r = Select(QuotaCall(3, TiePolicy::kAllOut), Direction::kConsulting,
                             {At("a", 100), At("b", 100)});
  EXPECT_THAT(SelectedIds(r), ElementsAre("a", "b"));
  EXPECT_FALSE(r.boundary_tie);
}

TEST(SelectQuota, AllOutCanSelectNobody) {
  SelectionResult r = Select(QuotaCall(1, TiePolicy::kAllOut), Direction::kConsulting,
                             {At("a", 8000), At("b", 8000)});
  EXPECT_TRUE(SelectedIds(r).empty());
  EXPECT_TRUE(r.boundary_tie);
}

TEST(SelectQuota, RanksAreSharedOnEqualScores) {
  SelectionResult r = Select(QuotaCall(3, TiePolicy::kAllIn), Direction::kConsulting, kTiedAtThird);
  std::vector<int> ranks;
  std::vector<std::string> ids;
  for (const RankedApplication& a : r.ranking) {
    ranks.push_back(a.rank);
    ids.push_back(a.application_id);
  }
  EXPECT_THAT(ranks, ElementsAre(1, 2, 3, 3, 5));
  EXPECT_THAT(ids, ElementsAre("a", "b", "c", "d", "e"));
}

TEST(SelectCutOff, ScoreAtOrAboveCutOff) {
  // The fixture's TRAINING direction selects at 60.00 and above.
  SelectionResult r = Select(ValidCall(), Direction::kTraining,
                             {At("a", 6000), At("b", 5999), At("c", 8000), At("d", 6000, 3)});
  EXPECT_THAT(SelectedIds(r), ElementsAre("c", "a", "d"));
  EXPECT_EQ(r.selected_count, 3);
  EXPECT_FALSE(r.boundary_tie);
}

TEST(Select, Errors) {
  Call call = ValidCall();
  call.directions.pop_back();
  absl::Status closed = SelectApplicants(call, Direction::kTraining, {}).status();
  EXPECT_EQ(closed.code(), absl::StatusCode::kInvalidArgument);

  absl::Status twice =
      SelectApplicants(ValidCall(), Direction::kConsulting, {At("a", 1), At("a", 2)}).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kInvalidArgument);

  absl::Status unscored =
      SelectApplicants(ValidCall(), Direction::kConsulting, {At("a", 1), {"z", {}}}).status();
  EXPECT_EQ(ReasonOf(unscored), "NO_EXPERT_SCORES");
  EXPECT_THAT(std::string(unscored.message()), HasSubstr("z"));
}

}  // namespace
}  // namespace zhigai::review
