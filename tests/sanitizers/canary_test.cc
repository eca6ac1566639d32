// Built only with -DZHIGAI_SANITIZE=ON. A sanitizer finding must stop the program, or a UBSan
// report scrolls past in a test's output while the test passes (issue 22 item 13). These fail
// when the build lets UBSan recover or ASan is missing.
#include <gtest/gtest.h>

#include <climits>

namespace {

// Values the compiler cannot see through, so the faults happen at run time.
volatile int big = INT_MAX;
volatile int one = 1;
int* volatile freed = nullptr;

TEST(SanitizerCanary, UndefinedBehaviourStopsTheProgram) {
  EXPECT_DEATH(
      {
        volatile int r = big + one;
        (void)r;
      },
      "signed integer overflow");
}

TEST(SanitizerCanary, UseAfterFreeStopsTheProgram) {
  EXPECT_DEATH(
      {
        freed = new int(1);
        delete freed;
        volatile int r = *freed;
        (void)r;
      },
      "heap-use-after-free");
}

}  // namespace
