#include "services/review/domain/assignment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

ReviewedApplication App(std::string id, std::string code) {
  return {std::move(id), {std::move(code), LegalForm::kIndependentLegalPerson, {}}};
}

std::vector<Expert> Pool(int n) {
  std::vector<Expert> pool;
  for (int i = 0; i < n; ++i)
    pool.push_back({"exp-" + std::to_string(i), "EMP" + std::to_string(i), {}});
  return pool;
}

TEST(AssignExperts, KDistinctConflictFreeExpertsAndBalancedLoad) {
  std::vector<Expert> pool = Pool(5);
  std::vector<ReviewedApplication> apps;
  for (int i = 0; i < 7; ++i)
    apps.push_back(App("app-" + std::to_string(i), "ORG" + std::to_string(i)));

  absl::StatusOr<std::vector<ExpertAssignment>> result = AssignExperts(pool, apps, 3);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), apps.size());
  std::map<std::string, int> load;
  for (size_t i = 0; i < apps.size(); ++i) {
    const ExpertAssignment& a = (*result)[i];
    EXPECT_EQ(a.application_id, apps[i].id);  // input order kept
    ASSERT_EQ(a.expert_ids.size(), 3u);
    EXPECT_EQ(std::set<std::string>(a.expert_ids.begin(), a.expert_ids.end()).size(), 3u);
    for (const std::string& e : a.expert_ids) ++load[e];
  }
  auto [min, max] = std::minmax_element(load.begin(), load.end(),
                                        [](auto& x, auto& y) { return x.second < y.second; });
  EXPECT_EQ(load.size(), 5u);
  EXPECT_LE(max->second - min->second, 1);  // 21 reviews over 5 experts: 4 or 5 each
}

TEST(AssignExperts, AvoidsConflicts) {
  std::vector<Expert> pool = Pool(4);
  pool[0].employer_credit_code = "ORG-A";  // works for app A
  pool[1].declared_ties = {"SUPPLIER-B"};  // tie to B's consortium member
  ReviewedApplication a = App("A", "ORG-A");
  ReviewedApplication b = App("B", "LEAD-B");
  b.applicant.consortium = {{"LEAD-B", true, MemberRole::kEngineeringService},
                            {"SUPPLIER-B", false, MemberRole::kSolutionSupplier}};

  absl::StatusOr<std::vector<ExpertAssignment>> result = AssignExperts(pool, {a, b}, 3);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT((*result)[0].expert_ids, UnorderedElementsAre("exp-1", "exp-2", "exp-3"));
  EXPECT_THAT((*result)[1].expert_ids, UnorderedElementsAre("exp-0", "exp-2", "exp-3"));
}

TEST(AssignExperts, NamesEveryApplicationShortOfExperts) {
  std::vector<Expert> pool = Pool(3);
  pool[0].employer_credit_code = "ORG-A";
  pool[1].declared_ties = {"ORG-C"};
  absl::Status s =
      AssignExperts(pool, {App("A", "ORG-A"), App("B", "ORG-B"), App("C", "ORG-C")}, 3).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "NOT_ENOUGH_EXPERTS");
  EXPECT_EQ(RuleOf(s), "R7.1");
  EXPECT_THAT(std::string(s.message()), HasSubstr("A (2 conflict-free)"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("C (2 conflict-free)"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("B (")));
}

TEST(AssignExperts, ConstrainedApplicationsAreServedFirst) {
  // A can only use exp-0 and exp-1; B could use anyone. Serving A first lets B take the idle
  // experts, so nobody reviews twice.
  std::vector<Expert> pool = Pool(4);
  pool[2].employer_credit_code = "ORG-A";
  pool[3].employer_credit_code = "ORG-A";
  absl::StatusOr<std::vector<ExpertAssignment>> result =
      AssignExperts(pool, {App("B", "ORG-B"), App("A", "ORG-A")}, 2);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT((*result)[1].expert_ids, UnorderedElementsAre("exp-0", "exp-1"));
  EXPECT_THAT((*result)[0].expert_ids, UnorderedElementsAre("exp-2", "exp-3"));
}

TEST(AssignExperts, BadInput) {
  EXPECT_EQ(AssignExperts(Pool(3), {App("A", "X")}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<Expert> pool = Pool(3);
  pool[2].id = pool[1].id;
  EXPECT_EQ(AssignExperts(pool, {App("A", "X")}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AssignExperts(Pool(3), {App("A", "X"), App("A", "Y")}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AssignExperts, NoApplicationsNoAssignments) {
  absl::StatusOr<std::vector<ExpertAssignment>> result = AssignExperts(Pool(2), {}, 2);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
}

}  // namespace
}  // namespace zhigai::review
