#include "services/training/domain/meetings.h"

#include "gtest/gtest.h"

namespace zhigai::training {
namespace {

const std::string kCity(kCityOrganiser);

TEST(MeetingsTest, TwoMeetingsHeldAreEnough) {
  std::vector<Meeting> meetings = {{2025, kCity}, {2025, kCity}};
  EXPECT_TRUE(FindMeetingShortfalls(meetings, {2025}, {kCity}).empty());
}

TEST(MeetingsTest, OneMeetingIsReported) {
  std::vector<MeetingShortfall> out = FindMeetingShortfalls({{2025, kCity}}, {2025}, {kCity});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].year, 2025);
  EXPECT_EQ(out[0].organiser, kCity);
  EXPECT_EQ(out[0].held, 1);
  EXPECT_NE(out[0].english.find("R9.1"), std::string::npos);
  EXPECT_NE(out[0].chinese.find("R9.1"), std::string::npos);
}

TEST(MeetingsTest, UnheldMeetingsDoNotCount) {
  std::vector<Meeting> meetings = {{2025, kCity, true}, {2025, kCity, false}};
  std::vector<MeetingShortfall> out = FindMeetingShortfalls(meetings, {2025}, {kCity});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].held, 1);
}

TEST(MeetingsTest, EveryExpectedPairIsCheckedIncludingNone) {
  std::vector<Meeting> meetings = {{2025, kCity},    {2025, kCity},    {2025, "330302"},
                                   {2026, "330302"}, {2026, "330302"}, {2025, "330381"},
                                   {2025, "330381"}, {2024, "330381"}};
  std::vector<MeetingShortfall> out =
      FindMeetingShortfalls(meetings, {2025, 2026}, {kCity, "330302", "330381"});
  std::vector<std::tuple<int, std::string, int>> got;
  for (const auto& s : out) got.emplace_back(s.year, s.organiser, s.held);
  const std::vector<std::tuple<int, std::string, int>> want = {
      {2025, "330302", 1}, {2026, kCity, 0}, {2026, "330381", 0}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace zhigai::training
