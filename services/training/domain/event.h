// The training event as the R13 rules see it (RULES.md R13.0-R13.4). A plain value type:
// the service fills it from its store, the rules read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace zhigai::training {

enum class EventType {
  kTraining,  // 培训
  kLecture,   // 讲座
  kForum,     // 论坛
  kForInstitutions,  // 面向咨询（培训）服务机构的培训: R13.2's audience thresholds do not apply
};

// One enterprise's attendance: who came, from which industry, how many people.
struct AttendanceRow {
  std::string enterprise_credit_code;  // R0.1 code; the same enterprise may appear once
  std::string industry_code;           // the enterprise's industry (data/industries.tsv code)
  int64_t people = 0;
};

// Trainee ratings (R13.4): how many of all ratings were "satisfied".
struct RatingCounts {
  int64_t satisfied = 0;
  int64_t total = 0;
};

struct TrainingEvent {
  EventType type = EventType::kTraining;
  // Local Wenzhou time. The event's date is the date it starts; an end at exactly 00:00 of the
  // next day counts as ending on the same date (24:00).
  absl::CivilMinute starts_at;
  absl::CivilMinute ends_at;
  bool special_reason_approved = false;     // R13.1: bureau approved a reason for a full day
  std::vector<std::string> industry_codes;  // R13.3: the industries the content targets
  int64_t fee_fen = 0;                      // R13.2: any charge to participants; must be 0
  bool county_review_approved = false;      // R13.4: plan, agenda, slides approved by county
  std::optional<absl::CivilDay> filed_on;   // R13.4: day filed with the city bureau, if filed
  std::vector<AttendanceRow> attendance;    // R13.2
  RatingCounts ratings;                     // R13.4

  absl::CivilDay date() const { return absl::CivilDay(starts_at); }
};

}  // namespace zhigai::training
