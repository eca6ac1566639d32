// The settable business clock across processes' parts, on a real PostgreSQL: the operator's
// setting (forward only, first placement anywhere), a follower that applies it within a
// notification's time and reports it, a role that may read but never set it, and audit rows
// that keep business time beside wall time.
#include "libs/server/clock_follower.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/time/clock.h"
#include "libs/core/errors.h"
#include "libs/db/audit.h"
#include "libs/db/clock_table.h"
#include "libs/db/migrations.h"
#include "libs/db/testing/test_database.h"

namespace zhigai::server {
namespace {

const absl::TimeZone kWenzhou = absl::FixedTimeZone(8 * 3600);

absl::Time At(int y, int m, int d, int h = 9) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), kWenzhou);
}

class ClockFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::testing::TestDatabase::Create();
    conninfo_ = db_->ServiceConninfo("alpha");
    auto conn = db::Connection::Open(conninfo_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    role_ = (*conn)->QueryScript("SELECT current_user")->String(0, 0);
    admin_ = db_->Admin();
    ASSERT_TRUE(db::ProvisionClock(*admin_, role_).ok());
  }
  absl::StatusOr<db::ClockSetting> Set(absl::Time to) {
    return db::SetBusinessTime(*admin_, {to, std::nullopt, "test-operator"});
  }

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Connection> admin_;
  std::string conninfo_, role_;
};

TEST_F(ClockFollowerTest, TheFirstSettingGoesAnywhereThenTimeOnlyMovesForward) {
  auto first = Set(At(2026, 1, 5));  // before the wall clock: allowed, nothing decided yet
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->generation, 1);
  auto back = Set(At(2025, 12, 31));
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(back.status()), "BUSINESS_TIME_BACKWARDS");
  auto negative = db::SetBusinessTime(*admin_, {std::nullopt, absl::Hours(-1), "test-operator"});
  EXPECT_EQ(ReasonOf(negative.status()), "BUSINESS_TIME_BACKWARDS");
  // Nothing changed by the refusals.
  auto reading = db::ReadClock(*admin_);
  ASSERT_TRUE(reading.ok());
  EXPECT_EQ(reading->setting.generation, 1);
  EXPECT_EQ(reading->setting.business_at, At(2026, 1, 5));
  // Advancing counts from the business time now (which has flowed since the setting).
  auto advanced = db::SetBusinessTime(*admin_, {std::nullopt, absl::Hours(24 * 14), "ops"});
  ASSERT_TRUE(advanced.ok()) << advanced.status();
  EXPECT_EQ(advanced->generation, 2);
  EXPECT_GE(advanced->business_at, At(2026, 1, 19));
  EXPECT_LT(advanced->business_at, At(2026, 1, 19) + absl::Minutes(1));
  EXPECT_EQ(db_->Count("zhigai_clock", "history"), 2);
}

TEST_F(ClockFollowerTest, AServiceRoleReadsTheClockButCannotSetIt) {
  auto conn = db::Connection::Open(conninfo_);
  ASSERT_TRUE(conn.ok());
  auto reading = db::ReadClock(**conn);
  ASSERT_TRUE(reading.ok()) << reading.status();
  EXPECT_TRUE(reading->exists);
  auto set = db::SetBusinessTime(**conn, {At(2026, 3, 1), std::nullopt, "a service"});
  EXPECT_FALSE(set.ok());
  EXPECT_EQ(db::ReadClock(*admin_)->setting.generation, 0);
}

TEST_F(ClockFollowerTest, AFollowerAppliesASettingWithinMillisecondsAndReportsIt) {
  db::Pool pool({conninfo_, 2});
  core::BusinessClock clock(core::ClockMode::kSettable);
  ClockFollower follower(clock, pool, conninfo_, "alpha");
  EXPECT_FALSE(follower.synced());
  follower.Start();
  for (int i = 0; i < 200 && !follower.synced(); ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(follower.synced()) << follower.last_error();
  EXPECT_EQ(clock.generation(), 0);  // never set: the wall clock
  // Give the listener its connection, so the setting arrives by notification, not by the poll.
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Time set_at = absl::Now();
  ASSERT_TRUE(Set(At(2026, 7, 1)).ok());
  while (clock.generation() < 1 && absl::Now() - set_at < absl::Seconds(3)) {
    absl::SleepFor(absl::Milliseconds(2));
  }
  ASSERT_EQ(clock.generation(), 1);
  EXPECT_LT(absl::Now() - set_at, absl::Milliseconds(900)) << "applied by the poll, not notified";
  EXPECT_EQ(clock.Today(), absl::CivilDay(2026, 7, 1));
  // The operator's tool sees the follower on the new generation.
  std::vector<db::Follower> live;
  for (int i = 0; i < 200; ++i) {
    live = *db::ListFollowers(*admin_, absl::Seconds(5));
    if (!live.empty() && live[0].generation == 1) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].service, "alpha");
  EXPECT_EQ(live[0].generation, 1);
  follower.Stop();
}

TEST_F(ClockFollowerTest, WithoutTheClockSchemaAFollowerNeverSyncs) {
  auto other = db::testing::TestDatabase::Create();
  const std::string conninfo = other->ServiceConninfo("beta");
  db::Pool pool({conninfo, 1});
  core::BusinessClock clock(core::ClockMode::kSettable);
  ClockFollower follower(clock, pool, conninfo, "beta");
  absl::Status s = follower.SyncOnce();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("--business-clock"), absl::string_view::npos) << s;
  EXPECT_FALSE(follower.synced());
}

TEST_F(ClockFollowerTest, AuditRowsKeepTheBusinessTimeBesideTheWallTime) {
  db::Pool pool({conninfo_, 1});
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(db::ApplyMigrations(**lease, "zhigai", db::FrameworkMigrations()).ok());
  const db::Actor actor{"alice", "CITY_BUREAU", "req-1"};
  // The system clock: business time is wall time; the row says nothing more.
  ASSERT_TRUE(db::WriteAudit(**lease, actor, {"/m", "thing", "system", 1}).ok());
  core::BusinessClock clock(core::ClockMode::kSettable);
  ASSERT_TRUE(clock.Apply(1, At(2026, 3, 2) - absl::Now()));
  core::InstallProcessClock(&clock);
  absl::Status written = db::WriteAudit(**lease, actor, {"/m", "thing", "settable", 1});
  core::InstallProcessClock(nullptr);
  ASSERT_TRUE(written.ok()) << written;
  auto alpha = [&](const std::string& sql) { return admin_->QueryScript(sql); };
  auto rows = alpha(
      "SELECT entity_id, business_at IS NULL,"
      " abs(extract(epoch FROM business_at - timestamptz '2026-03-02 09:00+08')) < 60,"
      " abs(extract(epoch FROM at - now())) < 60 FROM alpha.audit_log ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows(), 2);
  EXPECT_EQ(rows->String(0, 0), "system");
  EXPECT_TRUE(rows->Bool(0, 1));
  EXPECT_EQ(rows->String(1, 0), "settable");
  EXPECT_FALSE(rows->Bool(1, 1));
  EXPECT_TRUE(rows->Bool(1, 2)) << "business_at is the business time";
  EXPECT_TRUE(rows->Bool(1, 3)) << "at stays the wall time";
}

}  // namespace
}  // namespace zhigai::server
