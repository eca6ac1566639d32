#include "services/tracking/domain/consulting_kind.h"

#include "gtest/gtest.h"

namespace zhigai::tracking {
namespace {

TEST(ConsultingKindTest, RoundTripsBothKinds) {
  for (ConsultingKind kind : {ConsultingKind::kDiagnosis, ConsultingKind::kSolutionDesign}) {
    auto parsed = ParseConsultingKind(ConsultingKindName(kind));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(ConsultingKindName(ConsultingKind::kSolutionDesign), "SOLUTION_DESIGN");
}

TEST(ConsultingKindTest, TrainingAndUnknownNamesAreNotConsulting) {
  EXPECT_FALSE(ParseConsultingKind("TRAINING_SERVICE").has_value());
  EXPECT_FALSE(ParseConsultingKind("SERVICE_KIND_UNSPECIFIED").has_value());
  EXPECT_FALSE(ParseConsultingKind("diagnosis").has_value());
  EXPECT_FALSE(ParseConsultingKind("").has_value());
}

}  // namespace
}  // namespace zhigai::tracking
