// R9.1: at least two exchange meetings a year; the system reports a year with fewer held.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace zhigai::training {

inline constexpr int kMinMeetingsPerYear = 2;
// The organiser of a city-level meeting; county meetings name their GB/T 2260 division code.
inline constexpr absl::string_view kCityOrganiser = "CITY";

struct Meeting {
  int year = 0;
  std::string organiser;  // kCityOrganiser or a division code such as "330302"
  bool held = true;       // false for a planned or cancelled meeting: it does not count
};

struct MeetingShortfall {
  int year = 0;
  std::string organiser;
  int held = 0;  // meetings held, < kMinMeetingsPerYear
  std::string english;
  std::string chinese;
};

// For every (year, organiser) in years x expected_organisers, in that order, the pairs with
// fewer than kMinMeetingsPerYear meetings held. Meetings of other years or organisers are
// ignored.
std::vector<MeetingShortfall> FindMeetingShortfalls(
    const std::vector<Meeting>& meetings, const std::vector<int>& years,
    const std::vector<std::string>& expected_organisers);

}  // namespace zhigai::training
