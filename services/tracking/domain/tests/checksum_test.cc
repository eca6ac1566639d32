#include "services/tracking/domain/checksum.h"

#include "gtest/gtest.h"

namespace zhigai::tracking {
namespace {

TEST(ChecksumTest, EmptySetIsTheHashOfNothing) {
  EXPECT_EQ(RecordsChecksum({}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ChecksumTest, KnownValueOfOneLine) {
  // sha256("P1:2\n") computed independently (printf 'P1:2\n' | sha256sum).
  EXPECT_EQ(ChecksumLine("P1", 2), "P1:2\n");
  EXPECT_EQ(RecordsChecksum({{"P1", 2}}),
            "aa0b57b3877279ac429d56ffb83434f9ccd5a2e1e129146be38d6388062e57d3");
}

TEST(ChecksumTest, OrderDoesNotMatterButRevisionAndRepeatsDo) {
  std::string a = RecordsChecksum({{"P1", 1}, {"P2", 3}, {"项目-3", 1}});
  EXPECT_EQ(a, RecordsChecksum({{"项目-3", 1}, {"P2", 3}, {"P1", 1}}));
  EXPECT_NE(a, RecordsChecksum({{"P1", 1}, {"P2", 4}, {"项目-3", 1}}));
  EXPECT_NE(a, RecordsChecksum({{"P1", 1}, {"P1", 1}, {"P2", 3}, {"项目-3", 1}}));
}

TEST(ChecksumTest, LinesSortBytewiseNotNumerically) {
  // "P:10\n" < "P:9\n" bytewise; the checksum must equal the hash of that order.
  EXPECT_EQ(RecordsChecksum({{"P", 9}, {"P", 10}}), RecordsChecksum({{"P", 10}, {"P", 9}}));
}

}  // namespace
}  // namespace zhigai::tracking
