#include "services/feedback/domain/sanction_command.h"

#include <vector>

#include "gtest/gtest.h"
#include "libs/core/testing/sanction_rules.h"
#include "services/feedback/domain/complaint_bar.h"

namespace zhigai::feedback {
namespace {

// The measures' figures: data/sanction-rules.tsv as the services load it.
const std::vector<core::SanctionRules>& Rules() { return core::TestSanctionRules(); }

constexpr char kInstitution[] = "91330300MA2H123456";

TEST(SanctionCommandIdTest, FormatsKindCodeAndStart) {
  EXPECT_EQ(SanctionCommandId(kInstitution, SanctionKind::kBar, absl::CivilDay(2026, 3, 5)),
            "bar:91330300MA2H123456:2026-03-05");
  EXPECT_EQ(
      SanctionCommandId(kInstitution, SanctionKind::kCancellation, absl::CivilDay(2026, 11, 20)),
      "cancel:91330300MA2H123456:2026-11-20");
}

TEST(SanctionCommandIdTest, DiffersByKindAndDate) {
  const absl::CivilDay day(2026, 3, 5);
  EXPECT_NE(SanctionCommandId(kInstitution, SanctionKind::kBar, day),
            SanctionCommandId(kInstitution, SanctionKind::kCancellation, day));
  EXPECT_NE(SanctionCommandId(kInstitution, SanctionKind::kBar, day),
            SanctionCommandId(kInstitution, SanctionKind::kBar, day + 1));
  EXPECT_NE(SanctionCommandId(kInstitution, SanctionKind::kBar, day),
            SanctionCommandId("91330300MA2H654321", SanctionKind::kBar, day));
}

// Re-evaluating after a further complaint must not produce a second bar command.
TEST(SanctionCommandIdTest, ReEvaluationKeepsTheBarCommandId) {
  std::vector<Complaint> complaints = {
      {"A", ComplaintOutcome::kVerifiedSerious, absl::CivilDay(2026, 1, 10)},
      {"B", ComplaintOutcome::kVerifiedSerious, absl::CivilDay(2026, 2, 10)},
      {"C", ComplaintOutcome::kVerifiedSerious, absl::CivilDay(2026, 3, 10)}};
  const BarDecision first = DecideBar(complaints, Rules());
  ASSERT_TRUE(first.barred);
  complaints.push_back({"D", ComplaintOutcome::kVerifiedSerious, absl::CivilDay(2026, 8, 1)});
  const BarDecision second = DecideBar(complaints, Rules());
  ASSERT_TRUE(second.barred);
  EXPECT_EQ(SanctionCommandId(kInstitution, SanctionKind::kBar, first.start),
            SanctionCommandId(kInstitution, SanctionKind::kBar, second.start));
}

}  // namespace
}  // namespace zhigai::feedback
