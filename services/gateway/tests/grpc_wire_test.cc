// The wire-format rules the frame proxy applies without decoding messages.
#include "services/gateway/grpc_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace zhigai::gateway::wire {
namespace {

std::string Prefix(uint32_t size) {
  std::string p(5, '\0');
  p[1] = static_cast<char>(size >> 24);
  p[2] = static_cast<char>(size >> 16);
  p[3] = static_cast<char>(size >> 8);
  p[4] = static_cast<char>(size);
  return p;
}

TEST(ParseTimeout, EveryUnitAndTheEightDigitLimit) {
  EXPECT_EQ(ParseTimeout("1H"), absl::Hours(1));
  EXPECT_EQ(ParseTimeout("2M"), absl::Minutes(2));
  EXPECT_EQ(ParseTimeout("3S"), absl::Seconds(3));
  EXPECT_EQ(ParseTimeout("100m"), absl::Milliseconds(100));
  EXPECT_EQ(ParseTimeout("7u"), absl::Microseconds(7));
  EXPECT_EQ(ParseTimeout("9n"), absl::Nanoseconds(9));
  EXPECT_EQ(ParseTimeout("99999999S"), absl::Seconds(99999999));  // 8 digits: the most allowed
  EXPECT_EQ(ParseTimeout("999999999S"), std::nullopt);            // 9 digits
  for (const char* bad : {"", "S", "10", "10s", "1.5S", "-1S", "10 S"}) {
    EXPECT_EQ(ParseTimeout(bad), std::nullopt) << bad;
  }
}

TEST(PercentEncoding, KeepsPrintableAsciiAndEscapesTheRest) {
  EXPECT_EQ(PercentEncode("plain text ~"), "plain text ~");
  EXPECT_EQ(PercentEncode("50%"), "50%25");
  EXPECT_EQ(PercentEncode("a\nb"), "a%0Ab");
  EXPECT_EQ(PercentEncode("请"), "%E8%AF%B7");
  EXPECT_EQ(PercentEncode("请先登录 (R0.1)"), "%E8%AF%B7%E5%85%88%E7%99%BB%E5%BD%95 (R0.1)");
  EXPECT_EQ(PercentEncode("100% \t done"), "100%25 %09 done");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(CodeForHttpStatus, FollowsTheGrpcHttpMapping) {
  EXPECT_EQ(CodeForHttpStatus(400), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(CodeForHttpStatus(401), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CodeForHttpStatus(403), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CodeForHttpStatus(404), grpc::StatusCode::UNIMPLEMENTED);
  for (int s : {429, 502, 503, 504})
    EXPECT_EQ(CodeForHttpStatus(s), grpc::StatusCode::UNAVAILABLE) << s;
  EXPECT_EQ(CodeForHttpStatus(500), grpc::StatusCode::UNKNOWN);
}

TEST(MessageSizeWatch, TheLimitItselfPassesOneByteMoreDoesNot) {
  MessageSizeWatch at_limit(1024);
  EXPECT_EQ(at_limit.Feed(Prefix(1024) + std::string(1024, 'x')), 0u);
  MessageSizeWatch over(1024);
  EXPECT_EQ(over.Feed(Prefix(1025)), 1025u);
}

TEST(MessageSizeWatch, FindsPrefixesSplitAcrossFramesAndAfterBodies) {
  MessageSizeWatch watch(100);
  std::string stream =
      Prefix(3) + "abc" + Prefix(0) + Prefix(100) + std::string(100, 'y') + Prefix(101);
  // Fed a byte at a time, as the worst split of DATA frames would give it.
  uint64_t found = 0;
  size_t at = 0;
  for (; at < stream.size() && found == 0; ++at) found = watch.Feed(stream.substr(at, 1));
  EXPECT_EQ(found, 101u);
  EXPECT_EQ(at, stream.size());  // found on the last byte of the last prefix, not before
}

TEST(MessageSizeWatch, LargeDeclaredSizesAreNotTruncated) {
  MessageSizeWatch watch(4 << 20);
  EXPECT_EQ(watch.Feed(Prefix(0xFFFFFFFFu)), 0xFFFFFFFFull);
}

}  // namespace
}  // namespace zhigai::gateway::wire
