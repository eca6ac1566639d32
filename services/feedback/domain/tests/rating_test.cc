#include "services/feedback/domain/rating.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::feedback {
namespace {

constexpr SatisfactionLevel kAllLevels[] = {
    SatisfactionLevel::kVerySatisfied, SatisfactionLevel::kFairlySatisfied,
    SatisfactionLevel::kAverage, SatisfactionLevel::kUnsatisfied};

TEST(SatisfactionLevelNameTest, RoundTripsEveryLevel) {
  for (SatisfactionLevel level : kAllLevels) {
    auto parsed = ParseSatisfactionLevel(SatisfactionLevelName(level));
    ASSERT_TRUE(parsed.has_value()) << SatisfactionLevelName(level);
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_EQ(SatisfactionLevelName(SatisfactionLevel::kFairlySatisfied), "FAIRLY_SATISFIED");
}

TEST(SatisfactionLevelNameTest, RejectsUnknownNames) {
  EXPECT_FALSE(ParseSatisfactionLevel("").has_value());
  EXPECT_FALSE(ParseSatisfactionLevel("very_satisfied").has_value());
  EXPECT_FALSE(ParseSatisfactionLevel("SATISFACTION_LEVEL_UNSPECIFIED").has_value());
}

TEST(ValidateRatingTest, AcceptsBothItems) {
  auto rating = ValidateRating({SatisfactionLevel::kAverage, SatisfactionLevel::kVerySatisfied});
  ASSERT_TRUE(rating.ok()) << rating.status();
  EXPECT_EQ(rating->content, SatisfactionLevel::kAverage);
  EXPECT_EQ(rating->results, SatisfactionLevel::kVerySatisfied);
}

TEST(ValidateRatingTest, AcceptsUnsatisfiedAsARealAnswer) {
  // 0 points is a verdict, not a missing item.
  auto rating = ValidateRating({SatisfactionLevel::kUnsatisfied, SatisfactionLevel::kUnsatisfied});
  EXPECT_TRUE(rating.ok()) << rating.status();
}

TEST(ValidateRatingTest, MissingContentNamesS21) {
  auto rating = ValidateRating({std::nullopt, SatisfactionLevel::kAverage});
  ASSERT_EQ(rating.status().code(), absl::StatusCode::kInvalidArgument);
  auto violations = ViolationsOf(rating.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "content");
  EXPECT_EQ(violations[0].rule, "S2.1");
  EXPECT_FALSE(ChineseOf(rating.status()).empty());
}

TEST(ValidateRatingTest, MissingResultsNamesS22) {
  auto rating = ValidateRating({SatisfactionLevel::kAverage, std::nullopt});
  ASSERT_EQ(rating.status().code(), absl::StatusCode::kInvalidArgument);
  auto violations = ViolationsOf(rating.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "results");
  EXPECT_EQ(violations[0].rule, "S2.2");
}

TEST(ValidateRatingTest, BothMissingReportsBoth) {
  auto rating = ValidateRating({});
  ASSERT_EQ(rating.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : ViolationsOf(rating.status())) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"content", "results"}));
}

}  // namespace
}  // namespace zhigai::feedback
