// The annual open call (征集遴选通知, RULES.md R4.1/R4.2) as a value type, and the check of
// its definition. Scores, weights, full marks and cut-offs are integers in hundredths so
// every comparison in review is exact (see scoring.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/review/domain/application_rules.h"
#include "services/review/domain/direction.h"

namespace zhigai::review {

enum class CallState { kDraft, kOpen, kClosed, kReviewing, kNotice, kFinished };

// CITY: the city bureau's call (R4.1). COUNTY: a county bureau's own selection (R4.2),
// carrying the county-level division code (GB/T 2260, data/divisions.tsv).
enum class CallScope { kCity, kCounty };

// What happens to applicants tied on the last quota place: all selected, or none of them.
enum class TiePolicy { kAllIn, kAllOut };

enum class SelectionMode { kQuota, kCutOff };

struct SelectionRule {
  SelectionMode mode = SelectionMode::kQuota;
  int quota = 0;                   // kQuota: the top N are selected
  int64_t cut_off_hundredths = 0;  // kCutOff: score >= cut-off (8050 = 80.50 points)
};

// One direction opened by the call, with its own R5.2 threshold and selection rule.
struct DirectionRules {
  Direction direction = Direction::kConsulting;
  // R5.2: "2 is the default" (the call's version of the rules gives it); a call may set another.
  std::optional<int> track_record_threshold;
  SelectionRule selection;
};

// A review criterion (评审指标). An expert's score for an application is
// sum(score_i * weight_i) over the criteria (scoring.h).
struct Criterion {
  std::string name;
  int64_t weight_hundredths = 100;    // 100 = weight 1.00; 1..10000
  int64_t full_marks_hundredths = 0;  // 3000 = 30.00 points; 1..100000
};

struct Call {
  std::string id;
  int year = 0;  // the call year Y; R5.2 track record is counted in Y-1
  CallScope scope = CallScope::kCity;
  std::string division_code;  // COUNTY only: six digits, a Wenzhou county-level code
  CallState state = CallState::kDraft;
  std::vector<DirectionRules> directions;
  absl::CivilDay opening_date;  // first day applications are accepted
  absl::CivilDay closing_date;  // last day applications are accepted
  int notice_period_days = 0;   // public notice (公示) length, calendar days
  int experts_per_application = 0;
  std::vector<Criterion> criteria;
  TiePolicy tie_policy = TiePolicy::kAllIn;
  // The R5 figures the call judges applicants under (its recorded version, issue 26).
  ApplicationRules rules;

  // The rules of `direction`, or nullptr when the call does not open it.
  const DirectionRules* FindDirection(Direction direction) const;
};

// The highest weighted score an expert can give, in ten-thousandths of a point
// (sum of full_marks_hundredths * weight_hundredths).
int64_t MaxWeightedScore(const Call& call);

// Checks a call definition; INVALID_ARGUMENT naming every offending field
// (e.g. "call.directions[1].quota"). The state is not checked here.
absl::Status ValidateCall(const Call& call);

}  // namespace zhigai::review
