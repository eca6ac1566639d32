#include "services/review/domain/public_notice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const PublicNotice kNotice{CivilDay(2026, 7, 1), 5};  // 07-01 .. 07-05

TEST(NoticeEndDate, StartDayIsDayOne) {
  EXPECT_EQ(NoticeEndDate(kNotice), CivilDay(2026, 7, 5));
  EXPECT_EQ(NoticeEndDate({CivilDay(2026, 7, 1), 1}), CivilDay(2026, 7, 1));
  EXPECT_EQ(NoticeEndDate({CivilDay(2026, 12, 29), 7}), CivilDay(2027, 1, 4));
}

TEST(CheckObjectionDate, WithinThePeriodBothEndsIncluded) {
  EXPECT_TRUE(CheckObjectionDate(kNotice, CivilDay(2026, 7, 1)).ok());
  EXPECT_TRUE(CheckObjectionDate(kNotice, CivilDay(2026, 7, 5)).ok());
}

TEST(CheckObjectionDate, DayAfterAndDayBeforeAreRefused) {
  for (CivilDay d : {CivilDay(2026, 7, 6), CivilDay(2026, 6, 30)}) {
    absl::Status s = CheckObjectionDate(kNotice, d);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(s), "OBJECTION_OUTSIDE_NOTICE_PERIOD");
    EXPECT_EQ(RuleOf(s), "R7.1");
    EXPECT_THAT(std::string(s.message()), HasSubstr("2026-07-05"));
  }
}

const std::vector<Selected> kSelected = {{"a", Direction::kConsulting},
                                         {"a", Direction::kTraining},
                                         {"b", Direction::kConsulting},
                                         {"c", Direction::kTraining}};

TEST(AdmittedAfterNotice, UpheldObjectionsRemoveTheirSelection) {
  std::vector<Objection> objections = {
      {"o1", "a", Direction::kTraining, ObjectionStatus::kUpheld},
      {"o2", "b", std::nullopt, ObjectionStatus::kRejected},
      {"o3", "c", std::nullopt, ObjectionStatus::kUpheld},
  };
  absl::StatusOr<std::vector<Selected>> admitted =
      AdmittedAfterNotice(kNotice, CivilDay(2026, 7, 6), kSelected, objections);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_THAT(*admitted, ElementsAre(Selected{"a", Direction::kConsulting},
                                     Selected{"b", Direction::kConsulting}));
}

TEST(AdmittedAfterNotice, ObjectionWithoutDirectionCoversEveryDirection) {
  absl::StatusOr<std::vector<Selected>> admitted =
      AdmittedAfterNotice(kNotice, CivilDay(2026, 7, 6), kSelected,
                          {{"o1", "a", std::nullopt, ObjectionStatus::kUpheld}});
  ASSERT_TRUE(admitted.ok());
  EXPECT_THAT(*admitted, ElementsAre(Selected{"b", Direction::kConsulting},
                                     Selected{"c", Direction::kTraining}));
}

TEST(AdmittedAfterNotice, NotBeforeThePeriodIsOver) {
  absl::Status s = AdmittedAfterNotice(kNotice, CivilDay(2026, 7, 5), kSelected, {}).status();
  EXPECT_EQ(ReasonOf(s), "NOTICE_PERIOD_NOT_OVER");
  EXPECT_THAT(std::string(s.message()), HasSubstr("2026-07-05"));
  absl::StatusOr<std::vector<Selected>> next =
      AdmittedAfterNotice(kNotice, CivilDay(2026, 7, 6), kSelected, {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kSelected);
}

TEST(AdmittedAfterNotice, PendingObjectionsBlockTheEnd) {
  absl::Status s = AdmittedAfterNotice(kNotice, CivilDay(2026, 7, 10), kSelected,
                                       {{"o7", "b", std::nullopt, ObjectionStatus::kPending}})
                       .status();
  EXPECT_EQ(ReasonOf(s), "OBJECTIONS_PENDING");
  EXPECT_THAT(std::string(s.message()), HasSubstr("o7"));
}

}  // namespace
}  // namespace zhigai::review
