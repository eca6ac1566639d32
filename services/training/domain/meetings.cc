#include "services/training/domain/meetings.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace zhigai::training {

std::vector<MeetingShortfall> FindMeetingShortfalls(
    const std::vector<Meeting>& meetings, const std::vector<int>& years,
    const std::vector<std::string>& expected_organisers) {
  std::map<std::pair<int, std::string>, int> held;
  for (const Meeting& m : meetings) {
    if (m.held) ++held[{m.year, m.organiser}];
  }
  std::vector<MeetingShortfall> out;
  for (int year : years) {
    for (const std::string& organiser : expected_organisers) {
      auto found = held.find({year, organiser});
      const int count = found == held.end() ? 0 : found->second;
      if (count >= kMinMeetingsPerYear) continue;
      const std::string who = organiser == kCityOrganiser ? std::string("the city bureau")
                                                          : absl::StrCat("division ", organiser);
      const std::string who_zh = organiser == kCityOrganiser ? std::string("市经信局")
                                                             : absl::StrCat("行政区划 ", organiser);
      out.push_back(
          {year, organiser, count,
           absl::StrCat(who, " held ", count, " exchange meeting(s) in ", year, "; at least ",
                        kMinMeetingsPerYear, " a year are required (R9.1)"),
           absl::StrCat(who_zh, " ", year, " 年召开交流会 ", count, " 次，每年至少应召开 ",
                        kMinMeetingsPerYear, " 次（R9.1）")});
    }
  }
  return out;
}

}  // namespace zhigai::training
