#include "services/training/domain/event_validation.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "libs/core/errors.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

std::vector<std::string> BadFields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : ViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

TEST(EventValidationTest, TheBaselineEventIsValid) {
  EXPECT_TRUE(ValidateEvent(testing::QualifyingEvent()).ok());
}

TEST(EventValidationTest, EndMustFollowStart) {
  TrainingEvent e = testing::QualifyingEvent();
  e.ends_at = e.starts_at;
  absl::Status status = ValidateEvent(e);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadFields(status), std::vector<std::string>{"ends_at"});
}

TEST(EventValidationTest, ReportsEveryBadFieldAtOnce) {
  TrainingEvent e = testing::QualifyingEvent();
  e.fee_fen = -1;
  e.attendance[1].people = 0;
  e.attendance[2].enterprise_credit_code = e.attendance[0].enterprise_credit_code;
  e.attendance[3].industry_code.clear();
  e.ratings = {6, 5};
  std::vector<std::string> fields = BadFields(ValidateEvent(e));
  for (const char* want :
       {"fee_fen", "attendance[1].people", "attendance[2].enterprise_credit_code",
        "attendance[3].industry_code", "ratings.satisfied"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), want), fields.end()) << want;
  }
  EXPECT_EQ(fields.size(), 5u);
}

TEST(EventValidationTest, NegativeRatings) {
  TrainingEvent e = testing::QualifyingEvent();
  e.ratings = {-1, -1};
  std::vector<std::string> fields = BadFields(ValidateEvent(e));
  EXPECT_EQ(fields, (std::vector<std::string>{"ratings.total", "ratings.satisfied"}));
}

}  // namespace
}  // namespace zhigai::training
