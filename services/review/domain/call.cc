#include "services/review/domain/call.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

// Sanity bounds, chosen so that every product in scoring.h fits easily in int64.
constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;
constexpr int kMaxNoticeDays = 365;
constexpr int kMaxExpertsPerApplication = 100;
constexpr int64_t kMaxWeightHundredths = 10000;
constexpr int64_t kMaxFullMarksHundredths = 100000;
constexpr size_t kMaxCriteria = 100;

// R4.2: a county call names a county-level division of Wenzhou (3303xx, not the city
// itself, 330300). Whether the code is one of the listed divisions (data/divisions.tsv)
// is checked by the caller against the reference data.
bool LooksLikeWenzhouCountyCode(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::StartsWith(code, "3303") && code != "330300";
}

// `criteria_ok`: the cut-off's upper bound is checked only against well-formed criteria, so
// one bad criterion is not reported twice.
void CheckDirections(const Call& call, bool criteria_ok, Violations& v) {
  if (call.directions.empty()) {
    v.Add("call.directions", "R3.1", "a call opens at least one direction (CONSULTING, TRAINING)");
  }
  std::set<Direction> seen;
  for (size_t i = 0; i < call.directions.size(); ++i) {
    const DirectionRules& d = call.directions[i];
    const std::string path = absl::StrCat("call.directions[", i, "]");
    if (!seen.insert(d.direction).second) {
      v.Add(absl::StrCat(path, ".direction"), "R3.1",
            absl::StrCat("direction ", DirectionName(d.direction), " is listed twice"));
    }
    // Decision (RULES.md silent): 0 is allowed, a bureau may waive the track record.
    if (d.track_record_threshold.value_or(0) < 0) {
      v.Add(absl::StrCat(path, ".track_record_threshold"), "R5.2",
            "the track-record threshold must not be negative");
    }
    const SelectionRule& s = d.selection;
    if (s.mode == SelectionMode::kQuota && s.quota < 1) {
      v.Add(absl::StrCat(path, ".quota"), "R7.1", "a quota selection needs a quota of at least 1");
    }
    if (s.mode == SelectionMode::kCutOff) {
      const int64_t max = MaxWeightedScore(call);  // ten-thousandths
      if (s.cut_off_hundredths < 0 || (criteria_ok && s.cut_off_hundredths * 100 > max)) {
        v.Add(absl::StrCat(path, ".cut_off_hundredths"), "R7.1",
              absl::StrCat("the cut-off must lie between 0 and the highest possible score (",
                           max / 100, " hundredths)"));
      }
    }
  }
}

// Returns whether the criteria are well formed.
bool CheckCriteria(const Call& call, Violations& v) {
  Violations mine;
  if (call.criteria.empty()) {
    mine.Add("call.criteria", "R7.1", "a call needs at least one review criterion");
  }
  if (call.criteria.size() > kMaxCriteria) {
    mine.Add("call.criteria", "R7.1", absl::StrCat("at most ", kMaxCriteria, " review criteria"));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < call.criteria.size(); ++i) {
    const Criterion& c = call.criteria[i];
    const std::string path = absl::StrCat("call.criteria[", i, "]");
    if (c.name.empty()) {
      mine.Add(absl::StrCat(path, ".name"), "R7.1", "a criterion needs a name");
    } else if (!names.insert(c.name).second) {
      mine.Add(absl::StrCat(path, ".name"), "R7.1",
               absl::StrCat("criterion name \"", c.name, "\" is used twice"));
    }
    if (c.weight_hundredths < 1 || c.weight_hundredths > kMaxWeightHundredths) {
      mine.Add(
          absl::StrCat(path, ".weight_hundredths"), "R7.1",
          absl::StrCat("the weight must be between 1 and ", kMaxWeightHundredths, " hundredths"));
    }
    if (c.full_marks_hundredths < 1 || c.full_marks_hundredths > kMaxFullMarksHundredths) {
      mine.Add(absl::StrCat(path, ".full_marks_hundredths"), "R7.1",
               absl::StrCat("full marks must be between 1 and ", kMaxFullMarksHundredths,
                            " hundredths"));
    }
  }
  const bool ok = mine.empty();
  v.Absorb(mine.Finish());
  return ok;
}

}  // namespace

const DirectionRules* Call::FindDirection(Direction direction) const {
  for (const DirectionRules& d : directions) {
    if (d.direction == direction) return &d;
  }
  return nullptr;
}

int64_t MaxWeightedScore(const Call& call) {
  int64_t max = 0;
  for (const Criterion& c : call.criteria) {
    if (c.weight_hundredths > 0 && c.full_marks_hundredths > 0 &&
        c.weight_hundredths <= kMaxWeightHundredths &&
        c.full_marks_hundredths <= kMaxFullMarksHundredths) {
      max += c.weight_hundredths * c.full_marks_hundredths;
    }
  }
  return max;
}

absl::Status ValidateCall(const Call& call) {
  Violations v;
  if (call.year < kMinYear || call.year > kMaxYear) {
    v.Add("call.year", "R4.1",
          absl::StrCat("the call year must be between ", kMinYear, " and ", kMaxYear));
  }
  switch (call.scope) {
    case CallScope::kCity:
      if (!call.division_code.empty()) {
        v.Add("call.division_code", "R4.2", "a city call carries no division code");
      }
      break;
    case CallScope::kCounty:
      if (!LooksLikeWenzhouCountyCode(call.division_code)) {
        v.Add("call.division_code", "R4.2",
              "a county call needs the six-digit code of a Wenzhou county-level division "
              "(3303xx, not 330300)");
      }
      break;
  }
  if (call.closing_date < call.opening_date) {
    v.Add("call.closing_date", "R4.1",
          absl::StrCat("the closing date ", absl::FormatCivilTime(call.closing_date),
                       " is before the opening date ", absl::FormatCivilTime(call.opening_date)));
  }
  if (call.notice_period_days < 1 || call.notice_period_days > kMaxNoticeDays) {
    v.Add("call.notice_period_days", "R7.1",
          absl::StrCat("the notice period must be between 1 and ", kMaxNoticeDays, " days"));
  }
  if (call.experts_per_application < 1 ||
      call.experts_per_application > kMaxExpertsPerApplication) {
    v.Add(
        "call.experts_per_application", "R7.1",
        absl::StrCat("experts per application must be between 1 and ", kMaxExpertsPerApplication));
  }
  const bool criteria_ok = CheckCriteria(call, v);
  CheckDirections(call, criteria_ok, v);
  return v.Finish("征集通知设置有误");
}

}  // namespace zhigai::review
