#include "services/feedback/domain/plagiarism.h"

#include "gtest/gtest.h"

namespace zhigai::feedback {
namespace {

TEST(PlagiarismCancellationTest, FromFindingDayToYearEndInclusive) {
  const absl::CivilDay finding(2026, 6, 15);
  CancellationWindow window = PlagiarismCancellation(finding);
  EXPECT_EQ(window.first_day, finding);
  EXPECT_EQ(window.last_day, absl::CivilDay(2026, 12, 31));
  EXPECT_FALSE(IsCancelledOn(window, absl::CivilDay(2026, 6, 14)));
  EXPECT_TRUE(IsCancelledOn(window, finding));
  EXPECT_TRUE(IsCancelledOn(window, absl::CivilDay(2026, 12, 31)));
  EXPECT_FALSE(IsCancelledOn(window, absl::CivilDay(2027, 1, 1)));
}

TEST(PlagiarismCancellationTest, FindingOnNewYearsEveCancelsOneDay) {
  const absl::CivilDay finding(2026, 12, 31);
  CancellationWindow window = PlagiarismCancellation(finding);
  EXPECT_EQ(window, (CancellationWindow{finding, finding}));
  EXPECT_TRUE(IsCancelledOn(window, finding));
  EXPECT_FALSE(IsCancelledOn(window, finding + 1));
}

TEST(PlagiarismCancellationTest, FindingOnNewYearsDayCancelsTheWholeYear) {
  CancellationWindow window = PlagiarismCancellation(absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(window.last_day - window.first_day, 364);
  EXPECT_FALSE(IsCancelledOn(window, absl::CivilDay(2026, 12, 31)));
}

}  // namespace
}  // namespace zhigai::feedback
