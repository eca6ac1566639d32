#include "libs/outbox/outbox.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "libs/db/migrations.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"

namespace zhigai::outbox {
namespace {

constexpr char kCheck[] = "/grpc.health.v1.Health/Check";

std::string HealthRequest(const std::string& service) {
  grpc::health::v1::HealthCheckRequest r;
  r.set_service(service);
  return r.SerializeAsString();
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::testing::TestDatabase::Create();
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("sender"), 2});
    ASSERT_TRUE(server::Migrate(*pool_, "sender", {}).ok());
  }
  server::ServerPtr StartReceiver(int* port) {
    return server::StartServer({}, absl::StrCat("127.0.0.1:", *port), nullptr, port);
  }
  absl::Status EnqueueOne(const Command& c) {
    return pool_->Transaction([&](db::Connection& conn) { return Enqueue(conn, c); });
  }
  DispatcherOptions Options(int port) {
    DispatcherOptions o;
    o.service = "sender";
    o.internal_proof = "p";
    o.peers["receiver"] = absl::StrCat("127.0.0.1:", port);
    o.max_backoff = absl::Milliseconds(1);
    return o;
  }
  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
};

TEST_F(OutboxTest, DeliversOnceAndIgnoresARepeatedCommandId) {
  int port = 0;
  auto receiver = StartReceiver(&port);
  ASSERT_TRUE(EnqueueOne({"cmd-1", "receiver", kCheck, HealthRequest("")}).ok());
  ASSERT_TRUE(EnqueueOne({"cmd-1", "receiver", kCheck, HealthRequest("")}).ok());
  Dispatcher d(*pool_, Options(port));
  auto n = d.DeliverDue();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*d.DeliverDue(), 0);
  auto counts = d.Counts();
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->pending, 0);
}

TEST_F(OutboxTest, KeepsCommandsWhileTheReceiverIsDownAndDeliversWhenItReturns) {
  int port = 0;
  auto probe = StartReceiver(&port);  // learn a free port, then take the receiver away
  probe->Shutdown();
  probe.reset();
  ASSERT_TRUE(EnqueueOne({"cmd-a", "receiver", kCheck, HealthRequest("")}).ok());
  ASSERT_TRUE(EnqueueOne({"cmd-b", "receiver", kCheck, HealthRequest("")}).ok());
  Dispatcher d(*pool_, Options(port));
  EXPECT_EQ(*d.DeliverDue(), 0);
  EXPECT_EQ(d.Counts()->pending, 2);
  auto receiver = StartReceiver(&port);
  ASSERT_NE(receiver, nullptr);
  int delivered = 0;
  for (int i = 0; i < 50 && delivered < 2; ++i) {
    delivered += *d.DeliverDue();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(delivered, 2);
  EXPECT_EQ(d.Counts()->delivered, 2);
}

TEST_F(OutboxTest, ARefusalThatRetryingCannotChangeIsParkedNotRetried) {
  int port = 0;
  auto receiver = StartReceiver(&port);
  // The health service answers NOT_FOUND for a service it does not know: a permanent refusal.
  ASSERT_TRUE(EnqueueOne({"cmd-x", "receiver", kCheck, HealthRequest("no.such.Service")}).ok());
  ASSERT_TRUE(EnqueueOne({"cmd-y", "nowhere", kCheck, HealthRequest("")}).ok());
  Dispatcher d(*pool_, Options(port));
  EXPECT_EQ(*d.DeliverDue(), 0);
  auto counts = d.Counts();
  EXPECT_EQ(counts->failed, 2);
  EXPECT_EQ(counts->pending, 0);
}

// The gauges the OutboxBacklog / OutboxCommandsParked alerts read.
double GaugeValue(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name == name) return family.metric.at(0).gauge.value;
  }
  ADD_FAILURE() << name << " not exported";
  return -1;
}

TEST_F(OutboxTest, BacklogGaugesCountPendingAndParkedAndAgeTheOldest) {
  int port = 0;
  auto receiver = StartReceiver(&port);
  prometheus::Registry registry;
  ASSERT_TRUE(
      EnqueueOne({"cmd-parked", "receiver", kCheck, HealthRequest("no.such.Service")}).ok());
  Dispatcher d(*pool_, Options(port), &registry);
  EXPECT_EQ(*d.DeliverDue(), 0);  // parked
  ASSERT_TRUE(EnqueueOne({"cmd-old", "nowhere-yet", kCheck, HealthRequest("")}).ok());
  ASSERT_TRUE(EnqueueOne({"cmd-new", "nowhere-yet", kCheck, HealthRequest("")}).ok());
  ASSERT_TRUE(pool_
                  ->Exec({"test.age",
                          "UPDATE outbox SET created_at = now() - interval '90 s'"
                          " WHERE command_id = 'cmd-old'"})
                  .ok());
  ASSERT_TRUE(d.MeasureBacklog().ok());
  EXPECT_EQ(GaugeValue(registry, "zhigai_outbox_pending_commands"), 2);
  EXPECT_EQ(GaugeValue(registry, "zhigai_outbox_parked_commands"), 1);
  const double age = GaugeValue(registry, "zhigai_outbox_oldest_pending_age_seconds");
  EXPECT_GE(age, 90);
  EXPECT_LT(age, 120);
}

TEST_F(OutboxTest, TheBackgroundLoopDeliversAfterNotify) {
  int port = 0;
  auto receiver = StartReceiver(&port);
  Dispatcher d(*pool_, Options(port));
  d.Start();
  ASSERT_TRUE(EnqueueOne({"cmd-loop", "receiver", kCheck, HealthRequest("")}).ok());
  d.Notify();
  for (int i = 0; i < 100 && d.Counts()->delivered == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  d.Stop();
  EXPECT_EQ(d.Counts()->delivered, 1);
}

}  // namespace
}  // namespace zhigai::outbox

namespace zhigai::outbox {
namespace {

TEST_F(OutboxTest, CommandsSharingAnOrderingKeyWaitForTheEarlierOne) {
  int port = 0;
  auto probe = StartReceiver(&port);
  probe->Shutdown();
  probe.reset();
  Dispatcher d(*pool_, Options(port));
  // The first command of key K goes to a receiver that is down; the second of K must wait even
  // though its own receiver is up; an unrelated command is not held back.
  auto up = StartReceiver(&port);  // same port: receiver "receiver" is up again
  DispatcherOptions o = Options(port);
  o.peers["down"] = "127.0.0.1:1";
  Dispatcher mixed(*pool_, o);
  ASSERT_TRUE(EnqueueOne({"k-1", "down", kCheck, HealthRequest(""), "K"}).ok());
  ASSERT_TRUE(EnqueueOne({"k-2", "receiver", kCheck, HealthRequest(""), "K"}).ok());
  ASSERT_TRUE(EnqueueOne({"other", "receiver", kCheck, HealthRequest(""), "L"}).ok());
  EXPECT_EQ(*mixed.DeliverDue(), 1);  // only "other"
  EXPECT_EQ(*mixed.DeliverDue(), 0);  // k-2 still waits behind k-1
  auto counts = mixed.Counts();
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(counts->delivered, 1);
  // Once k-1's receiver is reachable, both go, in order.
  o.peers["down"] = absl::StrCat("127.0.0.1:", port);
  Dispatcher healed(*pool_, o);
  int delivered = 0;
  for (int i = 0; i < 50 && delivered < 2; ++i) {
    delivered += *healed.DeliverDue();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(delivered, 2);
  (void)d;
}

}  // namespace
}  // namespace zhigai::outbox
