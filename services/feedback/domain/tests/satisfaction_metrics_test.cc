#include "services/feedback/domain/satisfaction_metrics.h"

#include <vector>

#include "gtest/gtest.h"

namespace zhigai::feedback {
namespace {

using L = SatisfactionLevel;

TEST(ComputeSatisfactionMetricsTest, NoRatingsIsZero) {
  SatisfactionMetrics metrics = ComputeSatisfactionMetrics({});
  EXPECT_EQ(metrics.count, 0);
  EXPECT_EQ(metrics.content_points, 0);
  EXPECT_EQ(metrics.results_points, 0);
  EXPECT_EQ(metrics.content_mean, 0.0);
  EXPECT_EQ(metrics.results_mean, 0.0);
}

TEST(ComputeSatisfactionMetricsTest, MeanPerItemIsUnrounded) {
  std::vector<Rating> ratings = {{L::kVerySatisfied, L::kUnsatisfied},
                                 {L::kFairlySatisfied, L::kVerySatisfied},
                                 {L::kAverage, L::kAverage}};
  SatisfactionMetrics metrics = ComputeSatisfactionMetrics(ratings);
  EXPECT_EQ(metrics.count, 3);
  EXPECT_EQ(metrics.content_points, 10 + 8 + 5);
  EXPECT_EQ(metrics.results_points, 0 + 10 + 5);
  EXPECT_DOUBLE_EQ(metrics.content_mean, 23.0 / 3.0);  // not 7.67
  EXPECT_DOUBLE_EQ(metrics.results_mean, 5.0);
}

TEST(ComputeSatisfactionMetricsTest, ItemsAreIndependent) {
  std::vector<Rating> ratings = {{L::kUnsatisfied, L::kVerySatisfied}};
  SatisfactionMetrics metrics = ComputeSatisfactionMetrics(ratings);
  EXPECT_EQ(metrics.count, 1);
  EXPECT_DOUBLE_EQ(metrics.content_mean, 0.0);
  EXPECT_DOUBLE_EQ(metrics.results_mean, 10.0);
}

}  // namespace
}  // namespace zhigai::feedback
