// Shared fixtures for the training domain tests: the repo's reference data and a baseline
// event that meets every R13 rule, which each test then breaks in one place.
#pragma once

#include <cstdint>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/calendar/workday_calendar.h"
#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"

namespace zhigai::training::testing {

inline const calendar::WorkdayCalendar& Calendar() {
  static const calendar::WorkdayCalendar* loaded = [] {
    auto c = calendar::WorkdayCalendar::Load(std::string(ZHIGAI_DATA_DIR) + "/cn-workdays.tsv");
    if (!c.ok()) ADD_FAILURE() << c.status();
    return new calendar::WorkdayCalendar(*std::move(c));
  }();
  return *loaded;
}

// The `code` column of data/industries.tsv.
inline std::set<std::string> FivePlusFiveCodes() {
  std::ifstream in(std::string(ZHIGAI_DATA_DIR) + "/industries.tsv");
  std::set<std::string> codes;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    if (!fields.empty() && !fields[0].empty()) codes.insert(fields[0]);
  }
  EXPECT_EQ(codes.size(), 10u) << "the \"5+5\" industries are ten";
  return codes;
}

struct FilingExample {
  absl::CivilDay event_date;
  absl::CivilDay last_filing_day;
  std::string note;
};

// Every row of data/cn-workdays-examples.tsv.
inline std::vector<FilingExample> FilingExamples() {
  std::ifstream in(std::string(ZHIGAI_DATA_DIR) + "/cn-workdays-examples.tsv");
  std::vector<FilingExample> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 3) continue;
    FilingExample ex;
    EXPECT_TRUE(absl::ParseCivilTime(f[0], &ex.event_date)) << line;
    EXPECT_TRUE(absl::ParseCivilTime(f[1], &ex.last_filing_day)) << line;
    ex.note = f[2];
    out.push_back(ex);
  }
  EXPECT_FALSE(out.empty()) << "no examples read";
  return out;
}

inline absl::CivilMinute At(int y, int mo, int d, int h, int mi) {
  return absl::CivilMinute(y, mo, d, h, mi);
}

// `enterprises` rows of one industry sharing `people` as evenly as possible (each >= 1).
// `tag` keeps credit codes distinct across calls.
inline std::vector<AttendanceRow> Rows(int enterprises, const std::string& industry, int64_t people,
                                       const std::string& tag) {
  std::vector<AttendanceRow> rows;
  for (int i = 0; i < enterprises; ++i) {
    const int64_t share = people / enterprises + (i < people % enterprises ? 1 : 0);
    rows.push_back({absl::StrCat(tag, "-", i), industry, share});
  }
  return rows;
}

// Monday 2025-03-17, 09:00-12:00, 60 people from 12 electrical enterprises, free, filed on
// its last filing day (2025-03-03), reviewed, 45 of 50 satisfied.
inline TrainingEvent QualifyingEvent() {
  TrainingEvent e;
  e.type = EventType::kTraining;
  e.starts_at = At(2025, 3, 17, 9, 0);
  e.ends_at = At(2025, 3, 17, 12, 0);
  e.industry_codes = {"ELECTRICAL"};
  e.fee_fen = 0;
  e.county_review_approved = true;
  e.filed_on = absl::CivilDay(2025, 3, 3);
  e.attendance = Rows(12, "ELECTRICAL", 60, "E");
  e.ratings = {45, 50};
  return e;
}

inline std::string FigureOf(const RuleOutcome& outcome, const std::string& name) {
  for (const Figure& f : outcome.figures) {
    if (f.name == name) return f.value;
  }
  ADD_FAILURE() << "no figure " << name << " in " << outcome.rule << " " << outcome.check;
  return "";
}

inline void ExpectPass(const RuleOutcome& outcome) {
  EXPECT_EQ(outcome.status, RuleStatus::kPass) << outcome.reason << ": " << outcome.english;
  EXPECT_TRUE(outcome.reason.empty());
  EXPECT_FALSE(outcome.english.empty());
  EXPECT_FALSE(outcome.chinese.empty());
}

inline void ExpectFail(const RuleOutcome& outcome, const std::string& reason) {
  EXPECT_EQ(outcome.status, RuleStatus::kFail) << outcome.english;
  EXPECT_EQ(outcome.reason, reason);
  EXPECT_NE(outcome.english.find(outcome.rule), std::string::npos) << outcome.english;
  EXPECT_NE(outcome.chinese.find(outcome.rule), std::string::npos) << outcome.chinese;
}

}  // namespace zhigai::training::testing
