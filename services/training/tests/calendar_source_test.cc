// The calendar file is re-read when it changes (no restart), a bad edit keeps the calendar in
// use, and a forced reload reports the years loaded.
#include "services/training/calendar_source.h"

#include <gtest/gtest.h>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "services/training/calendar_metrics.h"

namespace zhigai::training {
namespace {

// The live calendar cut after 2026: the tests add a fictional 2027 and must hold whatever
// years the live file gains (the State Council publishes the next year each November).
std::string CalendarUpTo2026() {
  std::ifstream in(ZHIGAI_DATA_DIR "/cn-workdays.tsv");
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("date\t", 0) == 0 || line.substr(0, 4) <= "2026") out += line + "\n";
  }
  return out;
}

class CalendarSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "/cal-", ::getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".tsv");
    original_ = CalendarUpTo2026();
    Write(original_);
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  void Write(const std::string& text) {
    // Write then rename, as an operator's editor does: a reader never sees half a file.
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp) << text;
    ASSERT_EQ(::rename(tmp.c_str(), path_.c_str()), 0);
  }
  // 2027 as the State Council might publish it (fictional here): New Year's Day only.
  std::string With2027() const { return original_ + "2027-01-01\tHOLIDAY\t元旦\n"; }

  std::string path_;
  std::string original_;
  absl::Time now_ = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
};

TEST_F(CalendarSourceTest, LoadsTheYearsOfTheFile) {
  auto source = CalendarSource::Open(path_, absl::Seconds(5), [this] { return now_; });
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026}));
}

// The ZhigaiCalendarYearMissingSoon alert reads this gauge (issue 25 item 5): midnight in Wenzhou
// of 1 January of the first year missing from the business date on, following a reloaded file.
TEST_F(CalendarSourceTest, CoverageGaugeFollowsTheBusinessDateAndTheFile) {
  auto source = CalendarSource::Open(path_, absl::Seconds(0), [this] { return now_; });
  ASSERT_TRUE(source.ok());
  absl::Time business = absl::FromUnixSeconds(1780272000);  // 2026-06-01T00:00:00Z
  auto metrics = CalendarMetrics(**source, [&] { return business; });
  auto gauge = [&](const std::string& name) {
    for (const auto& f : metrics->Collect()) {
      if (f.name == name) return f.metric.at(0).gauge.value;
    }
    ADD_FAILURE() << name << " not collected";
    return -1.0;
  };
  constexpr double k2027WenzhouMidnight = 1798761600 - 8 * 3600;  // 2027-01-01T00:00+08:00
  constexpr double k2028WenzhouMidnight = 1830297600 - 8 * 3600;
  EXPECT_EQ(gauge("zhigai_calendar_covered_until_timestamp_seconds"), k2027WenzhouMidnight);
  EXPECT_EQ(gauge("zhigai_calendar_last_year"), 2026);
  Write(With2027());
  EXPECT_EQ(gauge("zhigai_calendar_covered_until_timestamp_seconds"), k2028WenzhouMidnight);
  EXPECT_EQ(gauge("zhigai_calendar_last_year"), 2027);
  business = absl::FromUnixSeconds(1830297600 - 7 * 3600);  // 2028-01-01 01:00 in Wenzhou
  EXPECT_EQ(gauge("zhigai_calendar_covered_until_timestamp_seconds"), k2028WenzhouMidnight);
}

TEST_F(CalendarSourceTest, AMissingFileStopsTheStart) {
  auto source = CalendarSource::Open(path_ + ".nope", absl::Seconds(5), [this] { return now_; });
  EXPECT_FALSE(source.ok());
}

TEST_F(CalendarSourceTest, AChangedFileIsReadAfterTheCheckInterval) {
  auto source = CalendarSource::Open(path_, absl::Seconds(5), [this] { return now_; });
  ASSERT_TRUE(source.ok());
  Write(With2027());
  now_ += absl::Seconds(4);  // within the interval: the file is not looked at yet
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026}));
  now_ += absl::Seconds(1);
  auto current = (*source)->Current();
  EXPECT_EQ(current.years, (std::vector<int>{2025, 2026, 2027}));
  // An event on 2027-01-20 can now be counted back into the new year.
  EXPECT_TRUE(current.calendar->LastFilingDay(absl::CivilDay(2027, 1, 20)).ok());
}

TEST_F(CalendarSourceTest, ABadEditKeepsTheCalendarInUse) {
  auto source = CalendarSource::Open(path_, absl::Seconds(0), [this] { return now_; });
  ASSERT_TRUE(source.ok());
  Write(original_ + "2027-13-01\tHOLIDAY\t元旦\n");
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026}));
  auto forced = (*source)->Reload();
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(ReasonOf(forced.status()), "REFERENCE_DATA_INVALID");
  // The refusal names the file and the line, never the server's path to it.
  const std::string name = path_.substr(path_.rfind('/') + 1);
  EXPECT_NE(forced.status().message().find(name), absl::string_view::npos) << forced.status();
  EXPECT_EQ(forced.status().message().find(path_), absl::string_view::npos) << forced.status();
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026}));
}

TEST_F(CalendarSourceTest, ReloadReadsNowAndReportsTheYears) {
  auto source = CalendarSource::Open(path_, absl::Hours(1), [this] { return now_; });
  ASSERT_TRUE(source.ok());
  Write(With2027());
  auto reloaded = (*source)->Reload();
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->years, (std::vector<int>{2025, 2026, 2027}));
  EXPECT_EQ(reloaded->path, path_);
  EXPECT_EQ(reloaded->name, path_.substr(path_.rfind('/') + 1));
}

// A Kubernetes ConfigMap mounted as a directory (k8s/base/training.yaml): the file is a symlink
// into "..data", itself a symlink to a timestamped directory, and an update writes a new
// directory and swaps "..data". The service must notice that without a restart.
TEST_F(CalendarSourceTest, AConfigMapUpdateBySymlinkSwapIsRead) {
  const std::string dir = absl::StrCat(path_, ".d");
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  auto version = [&](const std::string& name, const std::string& text) {
    ASSERT_EQ(::mkdir((dir + "/" + name).c_str(), 0755), 0);
    std::ofstream(dir + "/" + name + "/cn-workdays.tsv") << text;
    const std::string tmp = dir + "/..data_tmp";
    ASSERT_EQ(::symlink(name.c_str(), tmp.c_str()), 0);
    ASSERT_EQ(::rename(tmp.c_str(), (dir + "/..data").c_str()), 0);
  };
  version("..2026_11_01", original_);
  ASSERT_EQ(::symlink("..data/cn-workdays.tsv", (dir + "/cn-workdays.tsv").c_str()), 0);
  auto source =
      CalendarSource::Open(dir + "/cn-workdays.tsv", absl::Seconds(5), [this] { return now_; });
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026}));
  version("..2026_11_20", With2027());
  now_ += absl::Seconds(5);
  EXPECT_EQ((*source)->Current().years, (std::vector<int>{2025, 2026, 2027}));
  for (const char* f : {"/cn-workdays.tsv", "/..data", "/..2026_11_01/cn-workdays.tsv",
                        "/..2026_11_20/cn-workdays.tsv"}) {
    ::unlink((dir + f).c_str());
  }
  ::rmdir((dir + "/..2026_11_01").c_str());
  ::rmdir((dir + "/..2026_11_20").c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace zhigai::training
