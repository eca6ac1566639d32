// What forwarding as HTTP/2 frames must get right beyond the forwarding tests: flow control
// for messages larger than every window, many calls sharing one connection, a backend that
// restarts, draining, the response size limit, and the gateway's own reflection service.
#include <atomic>

#include "services/gateway/tests/gateway_fixture.h"

namespace zhigai::gateway {
namespace {

using namespace fixture;  // NOLINT: the fixture is this file's vocabulary

constexpr char kCount[] = "/zhigai.gatewaytest.v1.EchoService/Count";

std::string CountBytes(int count, int interval_ms) {
  v1::CountRequest r;
  r.set_count(count);
  r.set_interval_ms(interval_ms);
  return r.SerializeAsString();
}

template <typename Predicate>
bool WaitFor(Predicate done, absl::Duration limit = absl::Seconds(5)) {
  for (absl::Time end = absl::Now() + limit; absl::Now() < end;) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return done();
}

TEST_F(GatewayTest, MessagesLargerThanEveryWindowFlowBothWays) {
  StartGateway();
  auto stub = v1::EchoService::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token(Role::kPolicyPlatform));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));  // not a hang
  auto stream = stub->Chat(&ctx);
  // 12 messages of 3.5 MiB written while the answers are read: 42 MiB each way, above the
  // stream window (4 MiB) and the connection window (32 MiB), so the writer must be held back
  // and released by the reader's window updates through the proxy.
  constexpr int kMessages = 12;
  const std::string body((7 << 20) / 2, 'z');
  std::thread writer([&] {
    for (int i = 0; i < kMessages; ++i) {
      v1::EchoRequest r;
      r.set_text(absl::StrCat(i, ":", body));
      if (!stream->Write(r)) return;
    }
    stream->WritesDone();
  });
  int read = 0;
  v1::EchoResponse resp;
  while (stream->Read(&resp)) {
    EXPECT_EQ(resp.index(), read);
    EXPECT_EQ(resp.text(), absl::StrCat(read, ":", body));
    ++read;
  }
  writer.join();
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read, kMessages);
}

TEST_F(GatewayTest, ManyLargeUnaryAnswersDoNotExhaustTheSharedBackendConnection) {
  StartGateway();
  // 14 answers of 3 MiB: 42 MiB through one backend connection, whose window (32 MiB) must be
  // given back for every answer, also those whose stream closed before they were passed on.
  const std::string body(3 << 20, 'u');
  for (int i = 0; i < 14; ++i) {
    Result r = GenericCall(channel_.get(), kEcho, {EchoBytes(absl::StrCat(i, body))},
                           As(Role::kCityBureau), absl::Seconds(10));
    ASSERT_TRUE(r.status.ok()) << "answer " << i << ": " << r.status.error_message();
    ASSERT_EQ(r.messages.size(), 1u);
  }
}

TEST_F(GatewayTest, CallersThatDoNotReadDoNotStallOthersOnTheSharedBackendConnection) {
  GatewayOptions o = Options();
  o.threads = 1;  // one worker: every caller shares its one connection to the backend
  StartGateway(std::move(o));
  // Nine bidi calls each get a 3.9 MiB answer they never read: 35 MiB held at the gateway for
  // callers that are not reading, more than the backend connection's 32 MiB window.
  // The callers announce small windows, as a busy or slow client would, so the answers wait at
  // the gateway rather than in their own buffers.
  grpc::ChannelArguments small_windows;
  small_windows.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  small_windows.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  auto slow = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", gw_->port()),
                                        grpc::InsecureChannelCredentials(), small_windows);
  auto stub = v1::EchoService::NewStub(slow);
  const std::string body((39 << 20) / 10, 's');
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<v1::EchoRequest, v1::EchoResponse>>> idle;
  for (int i = 0; i < 9; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->AddMetadata("authorization", "Bearer " + Token(Role::kPolicyPlatform));
    idle.push_back(stub->Chat(contexts.back().get()));
    v1::EchoRequest r;
    r.set_text(body);
    ASSERT_TRUE(idle.back()->Write(r));
  }
  ASSERT_TRUE(WaitFor([&] { return backend_->received().size() == 9u; }));
  absl::SleepFor(absl::Milliseconds(200));  // the answers reach the gateway and wait there
  // Another caller, on its own connection to the gateway, is answered at once.
  auto other = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gw_->port()),
                                   grpc::InsecureChannelCredentials());
  Result r = GenericCall(other.get(), kEcho, {EchoBytes(std::string(1 << 20, 'o'))},
                         As(Role::kCityBureau), absl::Seconds(5));
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  for (auto& ctx : contexts) ctx->TryCancel();
  for (auto& stream : idle) (void)stream->Finish();
}

TEST_F(GatewayTest, HealthCheckBuffersOneMessageAtMost) {
  GatewayOptions o = Options();
  o.max_message_bytes = 1024;
  StartGateway(std::move(o));
  // A health check is anonymous: it must not be a way to make the gateway hold data.
  std::string chunk = std::string("\x0a\x80\x04", 3) + std::string(512, 'h');  // service, 512 B
  Result r = GenericCall(channel_.get(), "/grpc.health.v1.Health/Check", {chunk, chunk, chunk});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << r.status.error_message();
  Result ok = GenericCall(channel_.get(), "/grpc.health.v1.Health/Check", {""});
  EXPECT_TRUE(ok.status.ok()) << ok.status.error_message();
}

TEST_F(GatewayTest, HundredsOfCallsShareOneConnectionAndEachGetsItsOwnAnswer) {
  StartGateway();
  auto stub = v1::EchoService::NewStub(channel_);
  constexpr int kCalls = 300;
  struct Pending {
    grpc::ClientContext ctx;
    v1::EchoResponse resp;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::EchoResponse>> reader;
  };
  std::vector<Pending> calls(kCalls);
  grpc::CompletionQueue cq;
  for (int i = 0; i < kCalls; ++i) {
    v1::EchoRequest req;
    req.set_text(absl::StrCat("call-", i));
    calls[i].ctx.AddMetadata("authorization", "Bearer " + Token(Role::kInstitution));
    calls[i].reader = stub->AsyncEcho(&calls[i].ctx, req, &cq);
    calls[i].reader->Finish(&calls[i].resp, &calls[i].status, reinterpret_cast<void*>(i));
  }
  for (int n = 0; n < kCalls; ++n) {
    void* tag;
    bool ok;
    ASSERT_TRUE(cq.Next(&tag, &ok));
    int i = static_cast<int>(reinterpret_cast<intptr_t>(tag));
    ASSERT_TRUE(calls[i].status.ok()) << i << ": " << calls[i].status.error_message();
    EXPECT_EQ(calls[i].resp.text(), absl::StrCat("call-", i));
  }
  cq.Shutdown();
  EXPECT_EQ(backend_->received().size(), static_cast<size_t>(kCalls));
}

TEST_F(GatewayTest, BackendThatRestartsIsReachedAgainWithoutRestartingTheGateway) {
  auto backend = std::make_unique<EchoBackend>();
  std::string address = backend->address();
  GatewayOptions o = Options();
  o.backends.addresses["zhigai.gatewaytest.v1"] = address;
  StartGateway(std::move(o));
  EXPECT_TRUE(GenericCall(channel_.get(), kEcho, {EchoBytes("before")}).status.ok());
  backend.reset();
  absl::Time start = absl::Now();
  Result down = GenericCall(channel_.get(), kEcho, {EchoBytes("while down")});
  EXPECT_EQ(down.status.error_code(), grpc::StatusCode::UNAVAILABLE) << down.status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  backend = std::make_unique<EchoBackend>(address);
  Result after = GenericCall(channel_.get(), kEcho, {EchoBytes("after")});
  EXPECT_TRUE(after.status.ok()) << after.status.error_message();
  ASSERT_EQ(backend->received().size(), 1u);
}

TEST_F(GatewayTest, DrainLetsCallsInFlightFinishAndRefusesNewOnes) {
  StartGateway();
  Result streamed;
  // Five messages 100 ms apart: in flight when the drain begins, done well before its end.
  std::thread caller([&] {
    streamed = GenericCall(channel_.get(), kCount, {CountBytes(5, 100)}, As(Role::kInstitution));
  });
  ASSERT_TRUE(WaitFor([&] { return !backend_->received().empty(); }));
  absl::Time start = absl::Now();
  gw_->Shutdown(absl::Seconds(20));
  caller.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // the drain ends when the calls do
  EXPECT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  EXPECT_EQ(streamed.messages.size(), 5u);
  auto fresh = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gw_->port()),
                                   grpc::InsecureChannelCredentials());
  Result refused = GenericCall(fresh.get(), kEcho, {EchoBytes("late")}, {}, absl::Seconds(2));
  EXPECT_NE(refused.status.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(backend_->received().size(), 1u);
}

TEST_F(GatewayTest, DrainDeadlineEndsWhatIsLeftAsUnavailableAndCancelsItAtTheBackend) {
  StartGateway();
  grpc::Status status;
  std::thread caller([&] {
    auto stub = v1::EchoService::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token(Role::kCityBureau));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::EchoRequest req;
    v1::EchoResponse resp;
    status = stub->Hang(&ctx, req, &resp);
  });
  ASSERT_TRUE(WaitFor([&] { return backend_->hanging() > 0; }));
  gw_->Shutdown(absl::Milliseconds(200));
  caller.join();
  // Retryable: the call never finished, and another gateway replica can take it.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(WaitFor([&] { return backend_->cancelled() == 1; }));
}

TEST_F(GatewayTest, ResponseOverTheMessageLimitIsResourceExhausted) {
  GatewayOptions o = Options();
  o.max_message_bytes = 1024;
  StartGateway(std::move(o));
  // A request of 1,003 bytes passes; its echo, with the metadata the backend adds, does not.
  Result r = GenericCall(channel_.get(), kEcho, {EchoBytes(std::string(1000, 'x'))},
                         As(Role::kCityBureau));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(r.status.error_message().find("response message of"), std::string::npos)
      << r.status.error_message();
  EXPECT_TRUE(r.messages.empty());
  EXPECT_EQ(backend_->received().size(), 1u);
}

TEST_F(GatewayTest, ReflectionIsServedByTheGatewayThroughItsOwnProxy) {
  StartGateway();
  // ServerReflectionRequest{list_services: ""}: field 7, an empty string.
  Result r =
      GenericCall(channel_.get(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                  {std::string("\x3a\x00", 2)});
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_NE(r.messages[0].find("grpc.reflection.v1alpha.ServerReflection"), std::string::npos);
  EXPECT_TRUE(backend_->received().empty());
}

// An aged connection (GOAWAY after max_connection_age) lets a call that outlives the age and
// the idle close run to its end, then closes once it is idle: a fixed grace after the GOAWAY
// cut such calls off with "Broken pipe" on a loaded machine. A new call then opens a new
// connection.
TEST_F(GatewayTest, AnAgedConnectionLetsItsLongCallFinishThenCloses) {
  GatewayOptions o = Options();
  o.max_connection_age = absl::Milliseconds(300);
  o.aged_idle_close = absl::Milliseconds(100);
  StartGateway(std::move(o));
  auto stub = v1::EchoService::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token(Role::kPolicyPlatform));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::CountRequest req;
  req.set_count(20);
  req.set_interval_ms(100);  // 2 s: several times the age plus the idle close
  const absl::Time started = absl::Now();
  auto reader = stub->Count(&ctx, req);
  v1::EchoResponse resp;
  int read = 0;
  while (reader->Read(&resp)) {
    EXPECT_EQ(resp.index(), read);
    ++read;
  }
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(read, 20);
  EXPECT_GE(absl::Now() - started, absl::Milliseconds(1900));
  // Idle and aged: the gateway closes the connection; the channel leaves READY.
  EXPECT_TRUE(WaitFor([&] { return channel_->GetState(false) != GRPC_CHANNEL_READY; }));
  // The next call connects again and is answered.
  grpc::ClientContext again;
  again.AddMetadata("authorization", "Bearer " + Token(Role::kPolicyPlatform));
  again.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::EchoRequest echo;
  echo.set_text("after the age");
  v1::EchoResponse answer;
  grpc::Status next = stub->Echo(&again, echo, &answer);
  EXPECT_TRUE(next.ok()) << next.error_message();
  EXPECT_EQ(answer.text(), "after the age");
}

}  // namespace
}  // namespace zhigai::gateway
