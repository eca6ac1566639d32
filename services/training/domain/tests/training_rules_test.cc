// The R13 training conditions as data (issue 26): the file in data/ is version 1 with the
// measures' figures; a bad file is refused naming file and line; an event is judged under the
// version in force on its date, so adding a version changes no earlier event.
#include "services/training/domain/training_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"
#include "services/training/domain/audience.h"
#include "services/training/domain/satisfaction.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/domain/tests/test_events.h"

namespace zhigai::training {
namespace {

constexpr char kHeader[] = "version\tparameter\tvalue\tsource\n";

std::string Version(int v, const std::string& from, int64_t min_participants = 50) {
  const std::string p = std::to_string(v) + "\t";
  return p + "effective_from\t" + from + "\t\n" + p + "r13_1.half_day_minutes\t240\t\n" + p +
         "r13_1.full_day_minutes\t480\t\n" + p + "r13_2.min_participants\t" +
         std::to_string(min_participants) + "\t\n" + p +
         "r13_2.min_lecture_or_forum_participants\t100\t\n" + p +
         "r13_2.min_enterprises_of_one_industry\t10\t\n" + p +
         "r13_2.min_participants_of_one_industry\t30\t\n" + p +
         "r13_4.filing_working_days\t10\t\n" + p + "r13_4.min_satisfaction_percent\t80\t\n";
}

std::string Refusal(const std::string& body) {
  auto parsed = ParseTrainingRules(kHeader + body, "training-rules.tsv");
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(ReasonOf(parsed.status()), "REFERENCE_DATA_INVALID") << parsed.status();
  return std::string(parsed.status().message());
}

TEST(TrainingRules, TheDataFileIsVersionOneWithTheMeasuresFigures) {
  ASSERT_EQ(TestTrainingRules().size(), 1u);
  const TrainingRules& r = TestTrainingRulesV1();
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.half_day_minutes, 4 * 60);
  EXPECT_EQ(r.full_day_minutes, 8 * 60);
  EXPECT_EQ(r.min_participants, 50);
  EXPECT_EQ(r.min_lecture_or_forum_participants, 100);
  EXPECT_EQ(r.min_enterprises_of_one_industry, 10);
  EXPECT_EQ(r.min_participants_of_one_industry, 30);
  EXPECT_EQ(r.filing_working_days, 10);
  EXPECT_EQ(r.min_satisfaction_percent, 80);
}

TEST(TrainingRules, ABadFileIsRefusedNamingFileLineAndProblem) {
  const std::string v1 = Version(1, "2000-01-01");
  EXPECT_EQ(Refusal(v1 + "1\tr13_2.min_particpants\t50\t\n"),
            "training-rules.tsv:11: unknown parameter \"r13_2.min_particpants\"");
  std::string percent = v1;
  percent.replace(percent.find("min_satisfaction_percent\t80"), 27,
                  "min_satisfaction_percent\t101");
  EXPECT_EQ(Refusal(percent),
            "training-rules.tsv:10: r13_4.min_satisfaction_percent: \"101\" must be a whole "
            "number from 0 to 100");
  std::string day = v1;
  day.replace(day.find("full_day_minutes\t480"), 20, "full_day_minutes\t120");
  EXPECT_EQ(Refusal(day),
            "training-rules.tsv:4: a special case's day cannot be shorter than half a day");
  EXPECT_EQ(Refusal(Version(1, "2000-01-01", 20)),
            "training-rules.tsv:8: the one-industry alternative cannot ask for more "
            "participants than r13_2.min_participants");
  EXPECT_EQ(Refusal(v1 + Version(2, "1999-12-31")),
            "training-rules.tsv:11: effective_from must be later than the previous version's");
}

// A fictitious version 2 from 1 July 2026 asks for 60 participants: an event of 55 on 30 June
// passes under version 1, the same event on 1 July fails under version 2, and the earlier
// event's judgement does not change when version 2 is added.
TEST(TrainingRules, AnEventIsJudgedUnderTheVersionInForceOnItsDate) {
  auto rules = ParseTrainingRules(
      std::string(kHeader) + Version(1, "2000-01-01") + Version(2, "2026-07-01", 60), "t.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  TrainingEvent event = testing::QualifyingEvent();
  event.type = EventType::kTraining;
  const TrainingRules* june = *TrainingRulesOn(*rules, absl::CivilDay(2026, 6, 30));
  const TrainingRules* july = *TrainingRulesOn(*rules, absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(june->version, 1);
  EXPECT_EQ(july->version, 2);
  // Five enterprises: the one-industry alternative (10 enterprises) is out of reach, so the
  // general threshold decides.
  event.attendance = testing::Rows(5, "ELECTRICAL", 55, "E");
  EXPECT_EQ(CheckAudience(event, *june).status, RuleStatus::kPass);
  const RuleOutcome later = CheckAudience(event, *july);
  EXPECT_EQ(later.status, RuleStatus::kFail);
  EXPECT_NE(later.english.find("60"), std::string::npos) << later.english;
  EXPECT_EQ(CheckAudience(event, TestTrainingRulesV1()).status, RuleStatus::kPass)
      << "version 1 alone judges it as before";
  EXPECT_EQ(TrainingRulesOn(*rules, absl::CivilDay(1999, 12, 31)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace zhigai::training
