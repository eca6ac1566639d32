// CompletionQueueServing over real gRPC: answers from memory stay on the queue thread, answers
// that need I/O go to the blocking threads and never hold up the queue, and shutdown drains.
#include "libs/server/async_unary.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>

#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace zhigai::server {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using Base = Health::WithRawMethod_Check<Health::Service>;

// The request's service name says how to answer: "memory" from the fast half; "io" needs the
// full half; "wait" needs the full half, which blocks until the test releases it.
class Probe final : public Base, public CompletionQueueServing {
 public:
  Probe() : CompletionQueueServing(2, 2) {
    ServeAsync<HealthCheckRequest, HealthCheckResponse>(
        this, &Base::RequestCheck,
        [this](grpc::ServerContext*, const HealthCheckRequest& req,
               HealthCheckResponse* resp) -> std::optional<grpc::Status> {
          Record(&fast_threads_);
          if (req.service() != "memory") return std::nullopt;
          resp->set_status(HealthCheckResponse::SERVING);
          return grpc::Status::OK;
        },
        [this](grpc::ServerContext*, const HealthCheckRequest& req, HealthCheckResponse* resp) {
          Record(&full_threads_);
          ++full_calls_;
          if (req.service() == "wait") release_.WaitForNotification();
          if (req.service() == "missing") return grpc::Status(grpc::NOT_FOUND, "no such service");
          resp->set_status(HealthCheckResponse::NOT_SERVING);
          return grpc::Status::OK;
        });
  }
  ~Probe() override { StopServing(); }

  std::set<std::thread::id> fast_threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return fast_threads_;
  }
  std::set<std::thread::id> full_threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return full_threads_;
  }
  int full_calls() const { return full_calls_; }
  absl::Notification& release() { return release_; }

 private:
  void Record(std::set<std::thread::id>* threads) {
    std::lock_guard<std::mutex> lock(mu_);
    threads->insert(std::this_thread::get_id());
  }
  std::mutex mu_;
  std::set<std::thread::id> fast_threads_, full_threads_;
  std::atomic<int> full_calls_{0};
  absl::Notification release_;
};

class AsyncUnaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&probe_);
    probe_.AttachTo(builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    probe_.StartServing();
    server_target_ = "127.0.0.1:" + std::to_string(port);
    stub_ =
        Health::NewStub(grpc::CreateChannel(server_target_, grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (!probe_.release().HasBeenNotified()) probe_.release().Notify();
    server_->Shutdown();
    probe_.StopServing();
  }
  grpc::Status Check(const std::string& service, HealthCheckResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    HealthCheckRequest req;
    req.set_service(service);
    return stub_->Check(&ctx, req, resp);
  }

  Probe probe_;
  std::unique_ptr<grpc::Server> server_;
  std::string server_target_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(AsyncUnaryTest, MemoryAnswersStayOnTheQueueThreadsAndIoAnswersGoToTheBlockingThreads) {
  HealthCheckResponse resp;
  ASSERT_TRUE(Check("memory", &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(probe_.full_calls(), 0);

  resp.Clear();
  ASSERT_TRUE(Check("io", &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(probe_.full_calls(), 1);
  for (auto id : probe_.full_threads()) EXPECT_EQ(probe_.fast_threads().count(id), 0u);

  grpc::Status refused = Check("missing", &resp);
  EXPECT_EQ(refused.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(refused.error_message(), "no such service");
}

TEST_F(AsyncUnaryTest, ARequestThatDoesNotParseIsInvalidArgumentAndTheMethodKeepsServing) {
  grpc::GenericStub generic(
      grpc::CreateChannel(server_target_, grpc::InsecureChannelCredentials()));
  // Field 1 (service, a string) holding invalid UTF-8: protobuf refuses to parse it.
  const char bad[] = {0x0A, 0x02, static_cast<char>(0xC3), 0x28};
  for (int i = 0; i < 40; ++i) {  // more than the requests armed per queue
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice slice(bad, sizeof bad);
    grpc::ByteBuffer request(&slice, 1), response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) { done.set_value(s); });
    grpc::Status s = done.get_future().get();
    ASSERT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << i;
    EXPECT_EQ(s.error_message(), UnparsableRequest().error_message());
  }
  EXPECT_EQ(probe_.full_calls(), 0);
  HealthCheckResponse resp;
  EXPECT_TRUE(Check("memory", &resp).ok());
}

TEST_F(AsyncUnaryTest, AnAnswerWaitingOnIoDoesNotHoldUpAnswersFromMemory) {
  auto waiting = std::async(std::launch::async, [this] {
    HealthCheckResponse resp;
    return Check("wait", &resp).ok();
  });
  while (probe_.full_calls() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 0; i < 50; ++i) {
    HealthCheckResponse resp;
    ASSERT_TRUE(Check("memory", &resp).ok()) << i;
  }
  EXPECT_EQ(waiting.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  probe_.release().Notify();
  EXPECT_TRUE(waiting.get());
}

TEST_F(AsyncUnaryTest, ManyCallsInFlightAreEachAnsweredOnce) {
  constexpr int kThreads = 8, kEach = 100;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        HealthCheckResponse resp;
        if (Check((i + t) % 3 == 0 ? "io" : "memory", &resp).ok()) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  // Each of the 800 calls is either answered from memory or by exactly one full answer.
  int io_calls = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) io_calls += (i + t) % 3 == 0;
  }
  EXPECT_EQ(probe_.full_calls(), io_calls);
}

TEST_F(AsyncUnaryTest, ShutdownFinishesACallStillOnABlockingThread) {
  auto waiting = std::async(std::launch::async, [this] {
    HealthCheckResponse resp;
    return Check("wait", &resp);
  });
  while (probe_.full_calls() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread release([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    probe_.release().Notify();
  });
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  probe_.StopServing();  // joins the blocking thread after its call finished
  release.join();
  EXPECT_TRUE(waiting.get().ok());
}

}  // namespace
}  // namespace zhigai::server
