#include "services/feedback/domain/complaint_bar.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/core/testing/sanction_rules.h"

namespace zhigai::feedback {
namespace {

// The measures' figures: data/sanction-rules.tsv as the services load it.
const std::vector<core::SanctionRules>& Rules() { return core::TestSanctionRules(); }

using O = ComplaintOutcome;

Complaint C(std::string enterprise, ComplaintOutcome outcome, int y, int m, int d) {
  return Complaint{std::move(enterprise), outcome, absl::CivilDay(y, m, d)};
}

TEST(CountsTowardsBarTest, OnlyVerifiedSerious) {
  EXPECT_TRUE(CountsTowardsBar(O::kVerifiedSerious));
  EXPECT_FALSE(CountsTowardsBar(O::kVerifiedNotSerious));
  EXPECT_FALSE(CountsTowardsBar(O::kPending));
  EXPECT_FALSE(CountsTowardsBar(O::kRejected));
}

TEST(ComplaintOutcomeNameTest, RoundTrips) {
  for (O outcome : {O::kPending, O::kVerifiedSerious, O::kVerifiedNotSerious, O::kRejected}) {
    auto parsed = ParseComplaintOutcome(ComplaintOutcomeName(outcome));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, outcome);
  }
  EXPECT_FALSE(ParseComplaintOutcome("SERIOUS").has_value());
}

TEST(DecideBarTest, NoComplaintsNoBar) {
  BarDecision decision = DecideBar({}, Rules());
  EXPECT_FALSE(decision.barred);
  EXPECT_EQ(decision.trigger, BarTrigger::kNone);
  EXPECT_EQ(decision.qualifying_complaints, 0);
}

TEST(DecideBarTest, TwoDistinctPlusOneRejectedIsNoBar) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("B", O::kVerifiedSerious, 2026, 2, 10),
                                       C("C", O::kRejected, 2026, 3, 10)};
  BarDecision decision = DecideBar(complaints, Rules());
  EXPECT_FALSE(decision.barred);
  EXPECT_EQ(decision.qualifying_complaints, 2);
  EXPECT_EQ(decision.distinct_enterprises, 2);
}

TEST(DecideBarTest, ThreeDistinctBarFromTheThirdVerification) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("B", O::kVerifiedSerious, 2026, 2, 10),
                                       C("C", O::kVerifiedSerious, 2026, 3, 10)};
  BarDecision decision = DecideBar(complaints, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.trigger, BarTrigger::kDistinctEnterprises);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(decision.end, BarEnd(decision.start, Rules().front()));
  EXPECT_EQ(decision.distinct_enterprises, 3);
}

TEST(DecideBarTest, ThreeFromOneEnterpriseBars) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("A", O::kVerifiedSerious, 2026, 2, 10),
                                       C("A", O::kVerifiedSerious, 2026, 4, 1)};
  BarDecision decision = DecideBar(complaints, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.trigger, BarTrigger::kRepeatedEnterprise);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(decision.distinct_enterprises, 1);
}

TEST(DecideBarTest, VerifiedNotSeriousDoesNotCount) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("B", O::kVerifiedSerious, 2026, 2, 10),
                                       C("C", O::kVerifiedNotSerious, 2026, 3, 10)};
  EXPECT_FALSE(DecideBar(complaints, Rules()).barred);
  complaints.push_back(C("A", O::kVerifiedNotSerious, 2026, 4, 1));
  complaints.push_back(C("A", O::kVerifiedNotSerious, 2026, 4, 2));
  EXPECT_FALSE(DecideBar(complaints, Rules()).barred);
}

TEST(DecideBarTest, PendingComplaintsDoNotCount) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("B", O::kVerifiedSerious, 2026, 2, 10),
                                       C("C", O::kPending, 2026, 1, 1)};
  EXPECT_FALSE(DecideBar(complaints, Rules()).barred);
}

// Two from A and one from B: only 2 distinct enterprises and at most 2 from one, so neither
// R14.5 condition holds: NO bar.
TEST(DecideBarTest, TwoFromOneAndOneFromAnotherIsNoBar) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("A", O::kVerifiedSerious, 2026, 2, 10),
                                       C("B", O::kVerifiedSerious, 2026, 3, 10)};
  BarDecision decision = DecideBar(complaints, Rules());
  EXPECT_FALSE(decision.barred);
  EXPECT_EQ(decision.qualifying_complaints, 3);
  EXPECT_EQ(decision.distinct_enterprises, 2);
}

TEST(DecideBarTest, FourthComplaintDoesNotMoveTheStart) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 1, 10),
                                       C("B", O::kVerifiedSerious, 2026, 2, 10),
                                       C("C", O::kVerifiedSerious, 2026, 3, 10)};
  const absl::CivilDay start = DecideBar(complaints, Rules()).start;
  complaints.push_back(C("D", O::kVerifiedSerious, 2026, 5, 1));
  BarDecision again = DecideBar(complaints, Rules());
  EXPECT_TRUE(again.barred);
  EXPECT_EQ(again.start, start);
  EXPECT_EQ(again.qualifying_complaints, 4);
}

// Input order is filing order: A filed first but verified after B and C.
TEST(DecideBarTest, StartFollowsVerificationOrderNotFilingOrder) {
  std::vector<Complaint> filing_order = {
      C("A", O::kVerifiedSerious, 2026, 5, 10), C("B", O::kVerifiedSerious, 2026, 3, 1),
      C("C", O::kVerifiedSerious, 2026, 4, 1), C("D", O::kVerifiedSerious, 2026, 6, 1)};
  BarDecision decision = DecideBar(filing_order, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 5, 10));
}

TEST(DecideBarTest, RepeatedEnterpriseCanTriggerBeforeDistinct) {
  std::vector<Complaint> complaints = {
      C("A", O::kVerifiedSerious, 2026, 1, 1), C("A", O::kVerifiedSerious, 2026, 2, 1),
      C("A", O::kVerifiedSerious, 2026, 3, 1), C("B", O::kVerifiedSerious, 2026, 4, 1),
      C("C", O::kVerifiedSerious, 2026, 5, 1)};
  BarDecision decision = DecideBar(complaints, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.trigger, BarTrigger::kRepeatedEnterprise);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 3, 1));
}

TEST(DecideBarTest, DistinctCanTriggerBeforeRepeated) {
  std::vector<Complaint> complaints = {
      C("A", O::kVerifiedSerious, 2026, 1, 1), C("B", O::kVerifiedSerious, 2026, 2, 1),
      C("A", O::kVerifiedSerious, 2026, 3, 1), C("C", O::kVerifiedSerious, 2026, 4, 1),
      C("A", O::kVerifiedSerious, 2026, 5, 1)};
  BarDecision decision = DecideBar(complaints, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.trigger, BarTrigger::kDistinctEnterprises);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 4, 1));
}

TEST(DecideBarTest, SameDayVerificationsStartThatDay) {
  std::vector<Complaint> complaints = {C("C", O::kVerifiedSerious, 2026, 7, 7),
                                       C("A", O::kVerifiedSerious, 2026, 7, 7),
                                       C("B", O::kVerifiedSerious, 2026, 7, 7)};
  BarDecision decision = DecideBar(complaints, Rules());
  ASSERT_TRUE(decision.barred);
  EXPECT_EQ(decision.start, absl::CivilDay(2026, 7, 7));
}

TEST(DecideBarTest, EveryInputOrderGivesTheSameDecision) {
  const std::vector<Complaint> complaints = {
      C("A", O::kVerifiedSerious, 2026, 2, 1),    C("B", O::kRejected, 2026, 1, 5),
      C("B", O::kVerifiedSerious, 2026, 3, 3),    C("A", O::kVerifiedSerious, 2026, 3, 3),
      C("C", O::kVerifiedNotSerious, 2026, 1, 1), C("D", O::kVerifiedSerious, 2026, 3, 3)};
  const BarDecision expected = DecideBar(complaints, Rules());
  ASSERT_TRUE(expected.barred);
  EXPECT_EQ(expected.start, absl::CivilDay(2026, 3, 3));

  std::vector<int> order(complaints.size());
  std::iota(order.begin(), order.end(), 0);
  int permutations = 0;
  do {
    std::vector<Complaint> shuffled;
    for (int i : order) shuffled.push_back(complaints[i]);
    BarDecision decision = DecideBar(shuffled, Rules());
    EXPECT_EQ(decision.barred, expected.barred);
    EXPECT_EQ(decision.trigger, expected.trigger);
    EXPECT_EQ(decision.start, expected.start);
    EXPECT_EQ(decision.end, expected.end);
    EXPECT_EQ(decision.qualifying_complaints, expected.qualifying_complaints);
    EXPECT_EQ(decision.distinct_enterprises, expected.distinct_enterprises);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 720);
}

// ---- R14.5 (2026-12): one calendar year, each complaint once, bars again after an end or lift

TEST(DecideBarsTest, ComplaintsOfDifferentYearsDoNotCombine) {
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2025, 12, 20),
                                       C("B", O::kVerifiedSerious, 2026, 1, 5),
                                       C("C", O::kVerifiedSerious, 2026, 1, 10)};
  EXPECT_TRUE(DecideBars(complaints, Rules()).empty());
  EXPECT_FALSE(DecideBar(complaints, Rules()).barred);
  // A third complaint in 2026 does: the 2025 one is not counted.
  complaints.push_back(C("D", O::kVerifiedSerious, 2026, 2, 1));
  std::vector<BarDecision> bars = DecideBars(complaints, Rules());
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].start, absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(bars[0].counted, (std::vector<size_t>{1, 2, 3}));
}

TEST(DecideBarsTest, ComplaintsDuringABarCountTowardNoneAndANewBarFollowsItsEnd) {
  std::vector<Complaint> complaints = {
      C("A", O::kVerifiedSerious, 2026, 3, 1),  C("B", O::kVerifiedSerious, 2026, 3, 5),
      C("C", O::kVerifiedSerious, 2026, 3, 10),  // first bar: 2026-03-10 .. 2029-03-09
      C("D", O::kVerifiedSerious, 2027, 1, 1),  C("E", O::kVerifiedSerious, 2027, 1, 2),
      C("F", O::kVerifiedSerious, 2027, 1, 3),  // during the bar: none of these counts
      C("G", O::kVerifiedSerious, 2029, 3, 9),  // the bar's last day: still in force
      C("H", O::kVerifiedSerious, 2029, 3, 10), C("I", O::kVerifiedSerious, 2029, 4, 1),
      C("J", O::kVerifiedSerious, 2029, 5, 1)};
  std::vector<BarDecision> bars = DecideBars(complaints, Rules());
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].start, absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(bars[1].start, absl::CivilDay(2029, 5, 1));
  EXPECT_EQ(bars[1].counted, (std::vector<size_t>{7, 8, 9}));
}

TEST(DecideBarsTest, AfterALiftNewComplaintsBarAgainAndEachComplaintCountsOnce) {
  std::vector<Complaint> complaints = {
      C("A", O::kVerifiedSerious, 2026, 3, 1),  C("B", O::kVerifiedSerious, 2026, 3, 5),
      C("C", O::kVerifiedSerious, 2026, 3, 10),  // bar from 2026-03-10, lifted 2026-06-01
      C("D", O::kVerifiedSerious, 2026, 5, 1),   // before the lift: in force, counts for none
      C("E", O::kVerifiedSerious, 2026, 7, 1),  C("F", O::kVerifiedSerious, 2026, 8, 1),
      C("A", O::kVerifiedSerious, 2026, 9, 1)};
  const LiftedBar lift{absl::CivilDay(2026, 3, 10), absl::CivilDay(2026, 6, 1)};
  std::vector<BarDecision> bars = DecideBars(complaints, Rules(), {lift});
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[1].start, absl::CivilDay(2026, 9, 1));
  EXPECT_EQ(bars[1].trigger, BarTrigger::kDistinctEnterprises);
  EXPECT_EQ(bars[1].counted, (std::vector<size_t>{4, 5, 6})) << "A, B, C were consumed";
  // Without the lift the first bar is still in force: no second bar.
  EXPECT_EQ(DecideBars(complaints, Rules()).size(), 1u);
}

TEST(BarEndTest, ThreeYearsLaterAnniversaryIsFree) {
  const absl::CivilDay start(2026, 3, 15);
  EXPECT_EQ(BarEnd(start, Rules().front()), absl::CivilDay(2029, 3, 15));
  EXPECT_FALSE(IsBarredOn(start, start - 1, Rules()));
  EXPECT_TRUE(IsBarredOn(start, start, Rules()));
  EXPECT_TRUE(IsBarredOn(start, absl::CivilDay(2029, 3, 14), Rules()));
  EXPECT_FALSE(IsBarredOn(start, absl::CivilDay(2029, 3, 15), Rules()));
}

TEST(BarEndTest, LeapDayStartEndsOnFirstOfMarch) {
  const absl::CivilDay start(2024, 2, 29);
  EXPECT_EQ(BarEnd(start, Rules().front()), absl::CivilDay(2027, 3, 1));
  EXPECT_TRUE(IsBarredOn(start, absl::CivilDay(2027, 2, 28), Rules()));
  EXPECT_FALSE(IsBarredOn(start, absl::CivilDay(2027, 3, 1), Rules()));
}

// Issue 26: a fictitious version 2 from 2028 bars on two distinct enterprises for five years. A
// bar of 2027 keeps version 1's three years and its thresholds (adding version 2 changes no
// earlier decision); two complaints in 2028 bar under version 2, which the decision records.
TEST(DecideBarsTest, ABarIsDecidedAndTimedUnderTheVersionInForceOnItsDays) {
  auto rules = core::ParseSanctionRules(
      "version\tparameter\tvalue\tsource\n"
      "1\teffective_from\t2000-01-01\t\n1\tr14_5.bar_years\t3\t\n"
      "1\tr14_5.bar_distinct_enterprises\t3\t\n"
      "1\tr14_5.bar_complaints_from_one_enterprise\t3\t\n"
      "2\teffective_from\t2028-01-01\t\n2\tr14_5.bar_years\t5\t\n"
      "2\tr14_5.bar_distinct_enterprises\t2\t\n"
      "2\tr14_5.bar_complaints_from_one_enterprise\t3\t\n",
      "two-versions.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  // 2027: two enterprises are not enough under version 1.
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2027, 3, 1),
                                       C("B", O::kVerifiedSerious, 2027, 3, 5)};
  EXPECT_TRUE(DecideBars(complaints, *rules).empty());
  complaints.push_back(C("C", O::kVerifiedSerious, 2027, 3, 10));
  std::vector<BarDecision> v1 = DecideBars(complaints, *rules);
  ASSERT_EQ(v1.size(), 1u);
  EXPECT_EQ(v1[0].rule_version, 1);
  EXPECT_EQ(v1[0].end, absl::CivilDay(2030, 3, 10));
  EXPECT_EQ(v1, DecideBars(complaints, Rules())) << "version 2 changed a 2027 bar";
  // 2031, after that bar: two enterprises bar under version 2, for five years.
  complaints.push_back(C("D", O::kVerifiedSerious, 2031, 1, 5));
  complaints.push_back(C("E", O::kVerifiedSerious, 2031, 1, 9));
  std::vector<BarDecision> both = DecideBars(complaints, *rules);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].start, absl::CivilDay(2031, 1, 9));
  EXPECT_EQ(both[1].trigger, BarTrigger::kDistinctEnterprises);
  EXPECT_EQ(both[1].rule_version, 2);
  EXPECT_EQ(both[1].end, absl::CivilDay(2036, 1, 9));
  EXPECT_TRUE(IsBarredOn(both[1].start, absl::CivilDay(2036, 1, 8), *rules));
  EXPECT_FALSE(IsBarredOn(both[1].start, absl::CivilDay(2036, 1, 8), Rules()));
}

TEST(DecideBarsTest, NoComplaintCountsBeforeTheFirstVersion) {
  auto rules = core::ParseSanctionRules(
      "version\tparameter\tvalue\tsource\n"
      "1\teffective_from\t2026-06-01\t\n1\tr14_5.bar_years\t3\t\n"
      "1\tr14_5.bar_distinct_enterprises\t3\t\n"
      "1\tr14_5.bar_complaints_from_one_enterprise\t3\t\n",
      "late.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<Complaint> complaints = {C("A", O::kVerifiedSerious, 2026, 5, 1),
                                       C("B", O::kVerifiedSerious, 2026, 6, 1),
                                       C("C", O::kVerifiedSerious, 2026, 6, 2)};
  EXPECT_TRUE(DecideBars(complaints, *rules).empty());
  complaints.push_back(C("D", O::kVerifiedSerious, 2026, 6, 3));
  ASSERT_EQ(DecideBars(complaints, *rules).size(), 1u);
  EXPECT_EQ(DecideBars(complaints, *rules)[0].counted, (std::vector<size_t>{1, 2, 3}));
}

}  // namespace
}  // namespace zhigai::feedback
