// Cost of the R13 rules per call: the filing deadline (calendar count-back) and a full
// subsidy report, so handlers and batch reports can budget for them.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "libs/calendar/workday_calendar.h"
#include "services/training/domain/subsidy_report.h"
#include "services/training/domain/testing/rules.h"

namespace {

using zhigai::calendar::WorkdayCalendar;
namespace training = zhigai::training;

const WorkdayCalendar& Calendar() {
  static const WorkdayCalendar* calendar = [] {
    auto loaded = WorkdayCalendar::Load(std::string(ZHIGAI_DATA_DIR) + "/cn-workdays.tsv");
    if (!loaded.ok()) std::abort();
    return new WorkdayCalendar(*std::move(loaded));
  }();
  return *calendar;
}

// Every event date of 2025-02..2026-12, so holiday windows are part of the average.
std::vector<absl::CivilDay> EventDates() {
  std::vector<absl::CivilDay> days;
  for (absl::CivilDay d(2025, 2, 1); d <= absl::CivilDay(2026, 12, 31); ++d) days.push_back(d);
  return days;
}

void BM_IsWorkday(benchmark::State& state) {
  const WorkdayCalendar& calendar = Calendar();
  const std::vector<absl::CivilDay> days = EventDates();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(calendar.IsWorkday(days[i]));
    if (++i == days.size()) i = 0;
  }
}
BENCHMARK(BM_IsWorkday);

void BM_LastFilingDay(benchmark::State& state) {
  const WorkdayCalendar& calendar = Calendar();
  const std::vector<absl::CivilDay> days = EventDates();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(calendar.LastFilingDay(days[i]));
    if (++i == days.size()) i = 0;
  }
}
BENCHMARK(BM_LastFilingDay);

training::TrainingEvent BenchEvent(int enterprises) {
  training::TrainingEvent e;
  e.type = training::EventType::kTraining;
  e.starts_at = absl::CivilMinute(2025, 10, 9, 9, 0);
  e.ends_at = absl::CivilMinute(2025, 10, 9, 12, 30);
  e.industry_codes = {"ELECTRICAL", "PUMP_VALVE"};
  e.county_review_approved = true;
  e.filed_on = absl::CivilDay(2025, 9, 18);
  const char* industries[] = {"ELECTRICAL", "PUMP_VALVE", "FOOTWEAR"};
  for (int i = 0; i < enterprises; ++i) {
    e.attendance.push_back({absl::StrCat("9133030200000", 10000 + i), industries[i % 3], 3});
  }
  e.ratings = {90, 100};
  return e;
}

void BM_SubsidyReport(benchmark::State& state) {
  const WorkdayCalendar& calendar = Calendar();
  const std::set<std::string> codes = {
      "ELECTRICAL",      "FOOTWEAR",        "APPAREL",     "AUTO_PARTS", "PUMP_VALVE",
      "DIGITAL_ECONOMY", "SMART_EQUIPMENT", "LIFE_HEALTH", "NEV_ICV",    "NEW_MATERIALS"};
  const training::TrainingEvent event = BenchEvent(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto report = training::BuildSubsidyReport(event, calendar, codes, true, {true, {}},
                                               training::TestTrainingRulesV1());
    if (!report.ok() || report->verdict != training::Verdict::kEligible) {
      state.SkipWithError("unexpected report");
      break;
    }
    benchmark::DoNotOptimize(report);
  }
}
// Attendance rows: a small event, a typical one, a large forum.
BENCHMARK(BM_SubsidyReport)->Arg(20)->Arg(40)->Arg(200);

}  // namespace

BENCHMARK_MAIN();
