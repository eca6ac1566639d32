// The binary COPY encoder, byte for byte against PostgreSQL's documented format. A round trip
// through a real server is in intake_test.cc.
#include "services/tracking/copy_in.h"

#include <gtest/gtest.h>

#include <string>

namespace zhigai::tracking {
namespace {

using std::string_literals::operator""s;

// Signature "PGCOPY\n\377\r\n\0", flags 0, header extension length 0.
const std::string kHeader = "PGCOPY\n\xff\r\n\0"s + std::string(8, '\0');
const std::string kTrailer = "\xff\xff"s;

TEST(BinaryCopyRowsTest, NoRowsIsHeaderAndTrailer) {
  EXPECT_EQ(BinaryCopyRows().Finish(), kHeader + kTrailer);
}

TEST(BinaryCopyRowsTest, FieldsAreLengthPrefixedAndBigEndian) {
  BinaryCopyRows rows;
  rows.Row(6);
  rows.Text("项目");  // UTF-8 bytes as they are, no escaping
  rows.Int64(-2);
  rows.Int32(2025);
  rows.Bool(true);
  rows.Bool(false);
  rows.Null();
  EXPECT_EQ(std::move(rows).Finish(),
            kHeader + "\x00\x06"s +                                    // 6 fields
                "\x00\x00\x00\x06"s + "项目" +                         // text
                "\x00\x00\x00\x08\xff\xff\xff\xff\xff\xff\xff\xfe"s +  // bigint -2
                "\x00\x00\x00\x04\x00\x00\x07\xe9"s +                  // integer 2025
                "\x00\x00\x00\x01\x01"s +                              // true
                "\x00\x00\x00\x01\x00"s +                              // false
                "\xff\xff\xff\xff"s +                                  // NULL: length -1
                kTrailer);
}

TEST(BinaryCopyRowsTest, DatesCountDaysFrom2000) {
  BinaryCopyRows rows;
  rows.Row(4);
  rows.Date(absl::CivilDay(2000, 1, 1));
  rows.Date(absl::CivilDay(1999, 12, 31));
  rows.Date(absl::CivilDay(2025, 12, 30));  // 9495 days = 0x2517
  rows.Date(std::optional<absl::CivilDay>());
  EXPECT_EQ(std::move(rows).Finish(), kHeader + "\x00\x04"s + "\x00\x00\x00\x04\x00\x00\x00\x00"s +
                                          "\x00\x00\x00\x04\xff\xff\xff\xff"s +
                                          "\x00\x00\x00\x04\x00\x00\x25\x17"s +
                                          "\xff\xff\xff\xff"s + kTrailer);
}

TEST(BinaryCopyRowsTest, TimestampsCountMicrosecondsFrom2000Utc) {
  BinaryCopyRows rows;
  rows.Row(2);
  rows.Timestamp(absl::FromCivil(absl::CivilSecond(2000, 1, 1, 0, 0, 1), absl::UTCTimeZone()) +
                 absl::Microseconds(500000));
  // 1999-12-31 23:59:59 UTC: one second before the epoch.
  rows.Timestamp(absl::FromCivil(absl::CivilSecond(1999, 12, 31, 23, 59, 59), absl::UTCTimeZone()));
  EXPECT_EQ(std::move(rows).Finish(),
            kHeader + "\x00\x02"s +
                "\x00\x00\x00\x08\x00\x00\x00\x00\x00\x16\xe3\x60"s +  // 1,500,000
                "\x00\x00\x00\x08\xff\xff\xff\xff\xff\xf0\xbd\xc0"s +  // -1,000,000
                kTrailer);
}

}  // namespace
}  // namespace zhigai::tracking
