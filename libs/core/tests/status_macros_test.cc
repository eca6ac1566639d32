#include "libs/core/status_macros.h"

#include <gtest/gtest.h>

#include <string>

namespace zhigai {
namespace {

absl::StatusOr<int> Counted(int* calls, absl::StatusOr<int> result) {
  ++*calls;
  return result;
}

absl::StatusOr<std::string> Twice(int* calls, absl::StatusOr<int> in, int* reached) {
  ASSIGN_OR_RETURN(int v, Counted(calls, in));
  ++*reached;
  ASSIGN_OR_RETURN(v, Counted(calls, v * 2));
  return std::to_string(v);
}

absl::Status Steps(absl::Status first, int* reached) {
  RETURN_IF_ERROR(first);
  ++*reached;
  RETURN_IF_ERROR(absl::OkStatus());
  return absl::OkStatus();
}

TEST(StatusMacros, AssignOrReturnDeclaresAssignsAndEvaluatesOnce) {
  int calls = 0, reached = 0;
  EXPECT_EQ(*Twice(&calls, 21, &reached), "42");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacros, AssignOrReturnReturnsTheErrorAndStops) {
  int calls = 0, reached = 0;
  auto out = Twice(&calls, absl::NotFoundError("nope"), &reached);
  EXPECT_EQ(out.status(), absl::NotFoundError("nope"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(reached, 0);
}

TEST(StatusMacros, ReturnIfErrorReturnsTheErrorAndStops) {
  int reached = 0;
  EXPECT_EQ(Steps(absl::AbortedError("stale"), &reached), absl::AbortedError("stale"));
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(Steps(absl::OkStatus(), &reached).ok());
  EXPECT_EQ(reached, 1);
}

}  // namespace
}  // namespace zhigai
