#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "libs/core/errors.h"
#include "libs/db/audit.h"
#include "libs/db/errors.h"
#include "libs/db/migrations.h"
#include "libs/db/pool.h"
#include "libs/db/provision.h"
#include "libs/db/testing/test_database.h"

namespace zhigai::db {
namespace {

class DbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = testing::TestDatabase::Create(); }
  static void TearDownTestSuite() { db_.reset(); }
  static inline std::unique_ptr<testing::TestDatabase> db_;
};

const std::vector<Migration>& SampleMigrations() {
  static const auto* m = new std::vector<Migration>{
      {1, "0001_things.sql", "CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL);"},
      {2, "0002_more.sql", "ALTER TABLE things ADD COLUMN label text;"},
  };
  return *m;
}

TEST_F(DbTest, MigrationsApplyOnceInOrderAndAreRecorded) {
  Pool pool({db_->ServiceConninfo("alpha"), 2});
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok()) << lease.status();
  auto first = ApplyMigrations(**lease, "zhigai", FrameworkMigrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->applied, static_cast<int>(FrameworkMigrations().size()));
  auto pending = PendingMigrations(**lease, "alpha", SampleMigrations());
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, 2);
  auto r = ApplyMigrations(**lease, "alpha", SampleMigrations());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->applied, 2);
  auto again = ApplyMigrations(**lease, "alpha", SampleMigrations());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied, 0);
  EXPECT_EQ(again->already, 2);
  EXPECT_EQ(*PendingMigrations(**lease, "alpha", SampleMigrations()), 0);

  std::vector<Migration> edited = SampleMigrations();
  edited[1].sql = "ALTER TABLE things ADD COLUMN other text;";
  auto refused = ApplyMigrations(**lease, "alpha", edited);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DbTest, ConcurrentMigratorsSerialiseOnTheAdvisoryLock) {
  std::string conninfo = db_->ServiceConninfo("beta");
  std::atomic<int> applied{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto conn = Connection::Open(conninfo);
      if (!conn.ok()) return (void)failed++;
      auto r = ApplyMigrations(**conn, "beta", SampleMigrations());
      if (!r.ok()) return (void)failed++;
      applied += r->applied;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), 2);
}

TEST_F(DbTest, ServiceRoleCannotTouchAnotherServicesSchema) {
  Pool alpha({db_->ServiceConninfo("alpha"), 1});
  Pool gamma({db_->ServiceConninfo("gamma"), 1});
  {
    auto lease = alpha.Acquire();
    ASSERT_TRUE(ApplyMigrations(**lease, "alpha", SampleMigrations()).ok());
  }
  static constexpr Statement kPeek{"test.peek", "SELECT count(*) FROM alpha.things"};
  auto own = alpha.Exec(kPeek);
  EXPECT_TRUE(own.ok()) << own.status();
  auto denied = gamma.Exec(kPeek);
  EXPECT_FALSE(denied.ok());
  EXPECT_EQ(SqlStateOf(denied.status()), "42501");  // insufficient_privilege
}

TEST_F(DbTest, FailedTransactionWritesNothingAndUniqueViolationIsAlreadyExists) {
  Pool pool({db_->ServiceConninfo("alpha"), 2});
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(ApplyMigrations(**lease, "alpha", SampleMigrations()).ok());
  }
  static constexpr Statement kInsert{"test.insert", "INSERT INTO things (id, n) VALUES ($1, $2)"};
  static constexpr Statement kCount{"test.count", "SELECT count(*) FROM things WHERE id >= 100"};
  absl::Status s = pool.Transaction([&](Connection& c) -> absl::Status {
    if (auto r = c.Exec(kInsert, {100, 1}); !r.ok()) return r.status();
    return absl::InvalidArgumentError("domain refused after the first insert");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool.Exec(kCount)->Int64(0, 0), 0);

  ASSERT_TRUE(pool.Exec(kInsert, {101, 1}).ok());
  auto dup = pool.Exec(kInsert, {101, 2});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ConstraintOf(dup.status()), "things_pkey");
}

TEST_F(DbTest, SerializationFailuresAreRetried) {
  Pool pool({db_->ServiceConninfo("delta"), 4});
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(ApplyMigrations(**lease, "delta", SampleMigrations()).ok());
  }
  static constexpr Statement kSeed{"test.seed", "INSERT INTO things (id, n) VALUES (1, 0)"};
  static constexpr Statement kRead{"test.read", "SELECT n FROM things WHERE id = 1"};
  static constexpr Statement kWrite{"test.write", "UPDATE things SET n = $1 WHERE id = 1"};
  ASSERT_TRUE(pool.Exec(kSeed).ok());
  // Read-modify-write under SERIALIZABLE: lost updates would show as a final n below 40.
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        absl::Status s = pool.Transaction(
            [&](Connection& c) -> absl::Status {
              auto r = c.Exec(kRead);
              if (!r.ok()) return r.status();
              return c.Exec(kWrite, {r->Int64(0, 0) + 1}).status();
            },
            Isolation::kSerializable);
        if (!s.ok()) errors++;
      }
    });
  }
  for (auto& t : threads) t.join();
  int64_t n = pool.Exec(kRead)->Int64(0, 0);
  EXPECT_EQ(n + errors.load(), 40);  // every attempt either landed or reported ABORTED
  EXPECT_GE(n, 30);                  // and retries made most of them land
}

TEST_F(DbTest, AuditLogIsAppendOnlyAndIdempotencyKeysReturnTheFirstAnswer) {
  Pool pool({db_->ServiceConninfo("epsilon"), 2});
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(ApplyMigrations(**lease, "zhigai", FrameworkMigrations()).ok());
  }
  ASSERT_TRUE(pool.Transaction([](Connection& c) {
                    return WriteAudit(c, {"alice", "CITY_BUREAU", "req-1"},
                                      {"/x.v1.S/Create", "thing", "7", 1});
                  })
                  .ok());
  static constexpr Statement kTamper{"test.tamper", "UPDATE audit_log SET actor = 'mallory'"};
  static constexpr Statement kErase{"test.erase", "DELETE FROM audit_log"};
  EXPECT_FALSE(pool.Exec(kTamper).ok());
  EXPECT_FALSE(pool.Exec(kErase).ok());

  ASSERT_TRUE(pool.Transaction([](Connection& c) {
                    if (auto s = ClaimIdempotencyKey(c, "k1", "/x.v1.S/Create"); !s.ok()) return s;
                    return StoreIdempotentResponse(c, "k1", std::string("first\0answer", 12));
                  })
                  .ok());
  absl::Status race = pool.Transaction(
      [](Connection& c) { return ClaimIdempotencyKey(c, "k1", "/x.v1.S/Create"); });
  EXPECT_TRUE(IsIdempotencyRace(race)) << race;
  auto lease = pool.Acquire();
  auto found = FindIdempotentResponse(**lease, "k1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, std::string("first\0answer", 12));
}

// Issue 27 item 1: a key bound to a request fingerprint answers the same request and refuses
// another body under the same id, naming the id field; an unbound (old) key answers any repeat.
TEST_F(DbTest, AKeyBoundToItsRequestRefusesAnotherBody) {
  Pool pool({db_->ServiceConninfo("zeta"), 1});
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE(ApplyMigrations(**lease, "zhigai", FrameworkMigrations()).ok());
  }
  const std::string first = BindFingerprint("/x.v1.S/Create|alice|r1", "request_id", "aaa");
  const std::string other = BindFingerprint("/x.v1.S/Create|alice|r1", "request_id", "bbb");
  ASSERT_TRUE(pool.Transaction([&](Connection& c) {
                    if (auto s = ClaimIdempotencyKey(c, first, "/x.v1.S/Create"); !s.ok()) return s;
                    return StoreIdempotentResponse(c, first, "answer");
                  })
                  .ok());
  auto lease = pool.Acquire();
  auto same = FindIdempotentResponse(**lease, first);
  ASSERT_TRUE(same.ok()) << same.status();
  ASSERT_TRUE(same->has_value());
  EXPECT_EQ(**same, "answer");
  auto reused = FindIdempotentResponse(**lease, other);
  ASSERT_EQ(reused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(reused.status()), "REQUEST_ID_REUSED");
  EXPECT_NE(reused.status().message().find("request_id"), absl::string_view::npos);
  auto unbound = FindIdempotentResponse(**lease, "/x.v1.S/Create|alice|r1");
  ASSERT_TRUE(unbound.ok());
  EXPECT_TRUE(unbound->has_value());
}

TEST_F(DbTest, UnreachableServerIsUnavailable) {
  Pool pool({"host=127.0.0.1 port=1 dbname=x user=x connect_timeout=1", 1});
  auto r = pool.Exec(Statement{"test.x", "SELECT 1"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(DbTest, ConcurrentProvisioningOfOneRoleSucceedsForEveryCaller) {
  // Roles are cluster-wide: provisioners that run at once both find no role and both create
  // it; the loser must not fail on pg_authid's unique key.
  const std::string role = "prov_race_" + std::to_string(::getpid());
  std::atomic<int> ok{0};
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto conn = Connection::Open(db_->admin_conninfo());
      if (!conn.ok()) {
        errors[i] = std::string(conn.status().message());
        return;
      }
      auto s = ProvisionServiceSchema(**conn, {"prov_race", role, "pw-" + std::to_string(i)});
      if (s.ok())
        ++ok;
      else
        errors[i] = std::string(s.message());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4) << errors[0] << errors[1] << errors[2] << errors[3];
  auto admin = db_->Admin();
  auto roles = admin->QueryScript("SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'");
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_EQ(roles->String(0, 0), "1");
  (void)admin->ExecScript("DROP SCHEMA prov_race CASCADE; DROP ROLE " + role);
}

}  // namespace
}  // namespace zhigai::db
