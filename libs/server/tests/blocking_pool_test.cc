#include "libs/server/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace zhigai::server {
namespace {

TEST(BlockingPoolTest, RunsEveryTaskOnItsThreadsAndStopRunsWhatIsStillQueued) {
  std::atomic<int> done{0};
  absl::Notification hold;
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> ran_on_caller{false};
  {
    BlockingPool pool(2);
    pool.Run([&] { hold.WaitForNotification(); });  // occupies a thread
    for (int i = 0; i < 100; ++i) {
      pool.Run([&] {
        if (std::this_thread::get_id() == caller) ran_on_caller = true;
        ++done;
      });
    }
    hold.Notify();
    pool.Stop();
    EXPECT_EQ(done.load(), 100);
  }
  EXPECT_FALSE(ran_on_caller.load());
}

TEST(BlockingPoolTest, ATaskGivenAfterStopRunsOnTheCallerRatherThanBeingDropped) {
  BlockingPool pool(1);
  pool.Stop();
  std::thread::id ran_on;
  pool.Run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace zhigai::server
