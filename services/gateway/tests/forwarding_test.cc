// The gateway in process, in front of a test backend that records what it receives: the
// authorisation matrix, principal stripping, token refusals, every call shape, cancellation,
// HTTP/JSON, mTLS, limits and metrics.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <map>
#include <mutex>

#include "services/gateway/identity_metrics.h"
#include "services/gateway/tests/gateway_fixture.h"
#include "services/gateway/tls_context.h"

namespace zhigai::gateway {
namespace {

using namespace fixture;  // NOLINT: the fixture is this file's vocabulary
using auth::WriteFile;

TEST_F(GatewayTest, AuthorisationMatrixFollowsThePolicyForEveryMethodAndRole) {
  StartGateway();
  Policy policy = *Policy::Parse(PolicyText());
  auto files = ProtoFiles();
  int allowed = 0, denied = 0;
  auto services = *ServicesOf(files);
  for (const auto* svc : services) {
    for (int i = 0; i < svc->method_count(); ++i) {
      std::string path = absl::StrCat("/", svc->full_name(), "/", svc->method(i)->name());
      if (path == "/zhigai.gatewaytest.v1.EchoService/Hang") continue;  // waits for cancel
      for (Role role : AllRoles()) {
        backend_->Clear();
        std::string request;
        if (svc->method(i)->name() == "Count") request = "";  // count 0: no answers
        Result r = GenericCall(channel_.get(), path, {request}, As(role));
        bool expect = policy.Allows(path, role);
        SCOPED_TRACE(absl::StrCat(path, " as ", auth::RoleName(role)));
        if (expect) {
          ++allowed;
          EXPECT_TRUE(r.status.ok()) << r.status.error_message();
          auto got = backend_->received();
          ASSERT_EQ(got.size(), 1u);
          EXPECT_TRUE(absl::StartsWith(Get(got[0].metadata, auth::kPrincipalHeader),
                                       absl::StrCat("role=", auth::RoleName(role), ";")));
        } else {
          ++denied;
          EXPECT_EQ(r.status.error_code(), role == Role::kPublic
                                               ? grpc::StatusCode::UNAUTHENTICATED
                                               : grpc::StatusCode::PERMISSION_DENIED);
          EXPECT_TRUE(backend_->received().empty());
        }
      }
    }
  }
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
}

TEST_F(GatewayTest, MethodsOutsideThePolicyAreDeniedToEveryone) {
  StartGateway();
  for (const std::string& m : {std::string("/zhigai.registry.v1.RegistryService/DropEverything"),
                               std::string("/other.v1.Secret/Read")}) {
    for (Role role : {Role::kCityBureau, Role::kService}) {
      Result r = GenericCall(channel_.get(), m, {""}, As(role));
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << m;
    }
  }
  EXPECT_TRUE(backend_->received().empty());
}

TEST_F(GatewayTest, ForgedPrincipalMetadataNeverReachesTheBackend) {
  StartGateway();
  std::string forged = auth::EncodePrincipal({Role::kCityBureau, "evil", "", "330300"});
  // Anonymous, with a forged principal and even the right proof.
  Result anon =
      GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                  {{auth::kPrincipalHeader, forged}, {auth::kInternalProofHeader, kProof}});
  ASSERT_TRUE(anon.status.ok()) << anon.status.error_message();
  // An institution's token with a forged city principal and a wrong proof.
  auto inst = As(Role::kInstitution);
  inst.emplace(auth::kPrincipalHeader, forged);
  inst.emplace(auth::kInternalProofHeader, "guess");
  Result signed_in = GenericCall(channel_.get(), kEcho, {EchoBytes("y")}, inst);
  ASSERT_TRUE(signed_in.status.ok());

  auto got = backend_->received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].metadata.count(auth::kPrincipalHeader), 1u);
  EXPECT_EQ(Get(got[0].metadata, auth::kPrincipalHeader), "role=PUBLIC;sub=anonymous;code=;div=");
  EXPECT_EQ(got[1].metadata.count(auth::kPrincipalHeader), 1u);
  EXPECT_EQ(Get(got[1].metadata, auth::kPrincipalHeader),
            "role=INSTITUTION;sub=user-INSTITUTION;code=91330302123456788P;div=");
  for (const auto& g : got) {
    EXPECT_EQ(g.metadata.count(auth::kInternalProofHeader), 1u);
    EXPECT_EQ(Get(g.metadata, auth::kInternalProofHeader), kProof);
    EXPECT_EQ(g.metadata.count("authorization"), 0u);  // the bearer token stays at the gateway
  }
}

TEST_F(GatewayTest, BadTokensAreUnauthenticatedAndNeverForwarded) {
  StartGateway();
  int64_t now = absl::ToUnixSeconds(absl::Now());
  auto expired = ClaimsFor(Role::kCityBureau);
  expired["exp"] = now - 3600;
  auto early = ClaimsFor(Role::kCityBureau);
  early["nbf"] = now + 3600;
  auto audience = ClaimsFor(Role::kCityBureau);
  audience["aud"] = "someone-else";
  SigningKey stranger = SigningKey::Rsa("rsa-1");
  std::vector<std::pair<std::string, std::string>> cases = {
      {"expired", rsa_.Sign(expired)},
      {"not yet valid", rsa_.Sign(early)},
      {"wrong audience", rsa_.Sign(audience)},
      {"wrong key", stranger.Sign(ClaimsFor(Role::kCityBureau))},
      {"malformed", "not.a.token"},
      {"garbage", "%%%"},
  };
  for (const auto& [name, token] : cases) {
    // Even on a public method: a credential that fails is not downgraded to PUBLIC.
    Result r = GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                           {{"authorization", "Bearer " + token}});
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
  }
  Result basic = GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                             {{"authorization", "Basic dXNlcjpwdw=="}});
  EXPECT_EQ(basic.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(backend_->received().empty());
}

TEST_F(GatewayTest, Es256TokensWorkAndKeyRotationNeedsNoRestart) {
  StartGateway();
  Result ec = GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                          {{"authorization", "Bearer " + ec_.Sign(ClaimsFor(Role::kExpert))}});
  EXPECT_TRUE(ec.status.ok()) << ec.status.error_message();
  SigningKey next = SigningKey::Ec("ec-2");
  auto with_next = [&] {
    return GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                       {{"authorization", "Bearer " + next.Sign(ClaimsFor(Role::kExpert))}});
  };
  EXPECT_EQ(with_next().status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  testing::WriteJwks(jwks_path_, {&next});  // rotation: the old keys are gone
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_TRUE(with_next().status.ok());
  Result old = GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                           {{"authorization", "Bearer " + ec_.Sign(ClaimsFor(Role::kExpert))}});
  EXPECT_EQ(old.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatewayTest, UnaryCarriesTheMetadataServicesUseBothWaysAndPreservesStatus) {
  StartGateway();
  auto md = As(Role::kCityBureau);
  md.emplace("x-request-id", "req-123");
  md.emplace("x-custom", "kept");
  Result ok = GenericCall(channel_.get(), kEcho, {EchoBytes("hello")}, md);
  ASSERT_TRUE(ok.status.ok());
  ASSERT_EQ(ok.messages.size(), 1u);
  v1::EchoResponse resp;
  ASSERT_TRUE(resp.ParseFromString(ok.messages[0]));
  EXPECT_EQ(resp.text(), "hello");
  EXPECT_EQ(resp.metadata().at("x-request-id"), "req-123");
  // Client metadata the services never read stays at the gateway (issue 27 item 4).
  EXPECT_EQ(resp.metadata().count("x-custom"), 0u);
  EXPECT_EQ(Get(ok.initial, "x-echo-initial"), "hello");
  EXPECT_EQ(Get(ok.initial, "x-request-id"), "req-123");
  EXPECT_EQ(Get(ok.trailing, "x-echo-trailer"), "bye");

  Result failed = GenericCall(channel_.get(), kEcho, {EchoBytes("no such thing", 5)}, md);
  EXPECT_EQ(failed.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(failed.status.error_message(), "no such thing");
  EXPECT_EQ(Get(failed.trailing, "x-echo-trailer"), "failed");
  EXPECT_TRUE(failed.messages.empty());
}

// One limit for all request metadata together, whatever the header: 8 KiB. Over it the call is
// RESOURCE_EXHAUSTED (not retryable) and never reaches a backend; under it, it goes through.
TEST_F(GatewayTest, RequestMetadataHasOneLimitAnsweredWithResourceExhausted) {
  StartGateway();
  auto with = [&](std::vector<std::pair<std::string, size_t>> headers) {
    auto md = As(Role::kCityBureau);
    for (const auto& [key, size] : headers) md.emplace(key, std::string(size, 'a'));
    return GenericCall(channel_.get(), kEcho, {EchoBytes("x")}, md);
  };
  const size_t before = backend_->received().size();
  for (size_t size :
       {size_t{8} << 10, size_t{10} << 10, size_t{16} << 10, size_t{17} << 10, size_t{60} << 10}) {
    Result r = with({{"x-big", size}});
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << size;
    EXPECT_NE(r.status.error_message().find("over the limit of 8192 bytes"), std::string::npos)
        << r.status.error_message();
  }
  // Many small headers count together as one big one.
  std::vector<std::pair<std::string, size_t>> many;
  for (int i = 0; i < 20; ++i) many.push_back({absl::StrCat("x-part-", i), 500});
  EXPECT_EQ(with(many).status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(backend_->received().size(), before) << "a refused call reached the backend";
  // Under the limit (with the token): served.
  EXPECT_TRUE(with({{"x-big", size_t{6} << 10}}).status.ok());
}

TEST_F(GatewayTest, RequestIdIsGeneratedWhenAbsent) {
  StartGateway();
  Result r = GenericCall(channel_.get(), kEcho, {EchoBytes("x")});
  ASSERT_TRUE(r.status.ok());
  auto got = backend_->received();
  ASSERT_EQ(got.size(), 1u);
  std::string id = Get(got[0].metadata, "x-request-id");
  EXPECT_TRUE(absl::StartsWith(id, "gw-")) << id;
  // A refused call carries one too, so a caller can quote it.
  Result denied = GenericCall(channel_.get(), "/zhigai.registry.v1.RegistryService/LiftSanction",
                              {""}, As(Role::kExpert));
  EXPECT_EQ(denied.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StartsWith(Get(denied.initial, "x-request-id"), "gw-"));
}

TEST_F(GatewayTest, ServerStreamingIsForwarded) {
  StartGateway();
  v1::CountRequest req;
  req.set_count(5);
  req.set_interval_ms(2);
  Result r = GenericCall(channel_.get(), "/zhigai.gatewaytest.v1.EchoService/Count",
                         {req.SerializeAsString()}, As(Role::kInstitution));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ASSERT_EQ(r.messages.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    v1::EchoResponse resp;
    ASSERT_TRUE(resp.ParseFromString(r.messages[i]));
    EXPECT_EQ(resp.index(), i);
  }
}

TEST_F(GatewayTest, ClientStreamingIsForwarded) {
  StartGateway();
  auto stub = v1::EchoService::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token(Role::kInstitution));
  v1::EchoResponse resp;
  auto writer = stub->Collect(&ctx, &resp);
  for (const char* t : {"a", "b", "c"}) {
    v1::EchoRequest r;
    r.set_text(t);
    ASSERT_TRUE(writer->Write(r));
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.text(), "abc");
}

TEST_F(GatewayTest, BidiStreamingIsInteractiveAndKeepsTheStatus) {
  StartGateway();
  auto stub = v1::EchoService::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token(Role::kPolicyPlatform));
  auto stream = stub->Chat(&ctx);
  for (int i = 0; i < 3; ++i) {
    v1::EchoRequest r;
    r.set_text(absl::StrCat("ping", i));
    ASSERT_TRUE(stream->Write(r));
    v1::EchoResponse resp;
    // Each answer arrives before the next request is sent: nothing waits for the half-close.
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_EQ(resp.text(), absl::StrCat("ping", i));
    EXPECT_EQ(resp.index(), i);
  }
  v1::EchoRequest bad;
  bad.set_text("stop here");
  bad.set_fail_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  stream->Write(bad);
  stream->WritesDone();
  v1::EchoResponse ignored;
  while (stream->Read(&ignored)) {
  }
  grpc::Status s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "stop here");
}

TEST_F(GatewayTest, CancellationAndDeadlinesReachTheBackend) {
  StartGateway();
  auto stub = v1::EchoService::NewStub(channel_);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token(Role::kCityBureau));
    v1::EchoRequest req;
    v1::EchoResponse resp;
    std::thread canceller([&] {
      for (int i = 0; i < 400 && backend_->hanging() == 0; ++i)
        absl::SleepFor(absl::Milliseconds(5));
      ctx.TryCancel();
    });
    grpc::Status s = stub->Hang(&ctx, req, &resp);
    canceller.join();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  }
  for (int i = 0; i < 400 && backend_->cancelled() < 1; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(backend_->cancelled(), 1);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token(Role::kCityBureau));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    v1::EchoRequest req;
    v1::EchoResponse resp;
    grpc::Status s = stub->Hang(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  for (int i = 0; i < 400 && backend_->cancelled() < 2; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(backend_->cancelled(), 2);
  // A server stream the client abandons halfway stops at the backend too.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token(Role::kCityBureau));
    v1::CountRequest req;
    req.set_count(100000);
    req.set_interval_ms(5);
    auto reader = stub->Count(&ctx, req);
    v1::EchoResponse resp;
    ASSERT_TRUE(reader->Read(&resp));
    ctx.TryCancel();
    while (reader->Read(&resp)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  for (int i = 0; i < 400 && backend_->cancelled() < 3; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(backend_->cancelled(), 3);
}

TEST_F(GatewayTest, BackendDownIsUnavailableAtOnce) {
  GatewayOptions o = Options();
  int closed_port;
  {
    EchoBackend gone;  // a port that was just free
    closed_port = gone.port();
  }
  o.backends.addresses["zhigai.gatewaytest.v1"] = absl::StrCat("127.0.0.1:", closed_port);
  StartGateway(std::move(o));
  absl::Time start = absl::Now();
  Result r = GenericCall(channel_.get(), kEcho, {EchoBytes("x")}, {}, absl::Seconds(30));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(GatewayTest, StartFailsLoudlyWhenAMethodHasNoPolicyLine) {
  GatewayOptions o = Options();
  std::string text = PolicyText();
  text = text.substr(0, text.find("zhigai.gatewaytest.v1.EchoService/Hang"));
  o.policy = *Policy::Parse(text);
  auto gw = Gateway::Start(std::move(o));
  ASSERT_FALSE(gw.ok());
  EXPECT_NE(gw.status().message().find("zhigai.gatewaytest.v1.EchoService/Hang"),
            std::string::npos);
}

TEST_F(GatewayTest, RateLimitAndMessageSizeLimit) {
  GatewayOptions o = Options();
  o.rate_limits = *RateLimiter::Parse("PUBLIC=0.5/2");
  o.max_message_bytes = 1024;
  StartGateway(std::move(o));
  EXPECT_TRUE(GenericCall(channel_.get(), kEcho, {EchoBytes("1")}).status.ok());
  EXPECT_TRUE(GenericCall(channel_.get(), kEcho, {EchoBytes("2")}).status.ok());
  EXPECT_EQ(GenericCall(channel_.get(), kEcho, {EchoBytes("3")}).status.error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A signed-in caller has its own bucket (no limit for other roles here).
  Result big = GenericCall(channel_.get(), kEcho, {EchoBytes(std::string(4096, 'x'))},
                           As(Role::kCityBureau));
  EXPECT_EQ(big.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(backend_->received().size(), 2u);
}

// Issue 22 item 11: one client address is one PUBLIC bucket, whether it calls over gRPC
// ("ipv4:127.0.0.1:port") or HTTP/JSON (bare "127.0.0.1").
TEST_F(GatewayTest, OneClientHasOneAnonymousBucketAcrossGrpcAndHttp) {
  GatewayOptions o = Options();
  o.rate_limits = *RateLimiter::Parse("PUBLIC=0.001/2");
  StartGateway(std::move(o));
  EXPECT_TRUE(GenericCall(channel_.get(), kEcho, {EchoBytes("grpc")}).status.ok());
  EXPECT_EQ(Http(gw_->http_port(), "POST", kEcho, R"({"text": "http"})").status, 200);
  EXPECT_EQ(GenericCall(channel_.get(), kEcho, {EchoBytes("third")}).status.error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Http(gw_->http_port(), "POST", kEcho, R"({"text": "fourth"})").status, 429);
  EXPECT_EQ(backend_->received().size(), 2u);
}

// Issue 22 item 11: a refused bearer token is charged to its address's PUBLIC bucket, and once
// that is empty further unverified tokens are refused before their signature is checked. A token
// verified earlier is not held back by its neighbours' junk.
TEST_F(GatewayTest, JunkTokensSpendTheAddressAllowanceBeforeAnySignatureCheck) {
  GatewayOptions o = Options();
  o.rate_limits = *RateLimiter::Parse("PUBLIC=0.001/2,*=100/100");
  StartGateway(std::move(o));
  auto with = [&](const std::string& token) {
    return GenericCall(channel_.get(), kEcho, {EchoBytes("x")},
                       {{"authorization", "Bearer " + token}});
  };
  const std::string good = Token(Role::kExpert);
  EXPECT_TRUE(with(good).status.ok());
  const std::string junk = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  Result first = with(junk), second = with(junk), third = with(junk);
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(second.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(third.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(third.status.error_message().find("without a valid token"), std::string::npos)
      << third.status.error_message();
  // Anonymous calls from the address now find its bucket empty too.
  EXPECT_EQ(GenericCall(channel_.get(), kEcho, {EchoBytes("anon")}).status.error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(with(good).status.ok());  // verified before: no signature check needed
  EXPECT_EQ(backend_->received().size(), 2u);
}

// A backend closes each connection at its age (zhigai's services: 5 minutes). A call started
// just as the GOAWAY arrives is refused unprocessed, and was answered UNAVAILABLE / 503 (seen
// in `check --dates` on ListCalls to review). The frame proxy (gRPC) now moves to a new backend
// connection before the backend's age; the HTTP/JSON side, on gRPC's channel, sends a refused
// call again once.
TEST_F(GatewayTest, CallsSurviveTheBackendsConnectionAge) {
  backend_ = std::make_unique<EchoBackend>("127.0.0.1:0", /*quiet=*/true,
                                           /*max_connection_age_ms=*/80);
  GatewayOptions o = Options();
  o.backend_connection_age = absl::Milliseconds(25);  // the frame proxy moves on first
  StartGateway(std::move(o));
  const int port = gw_->http_port();
  std::atomic<int> ok{0};
  std::mutex mu;
  std::map<int, int> failed;  // HTTP status → count
  std::string first_failure;
  std::vector<std::thread> clients;
  const absl::Time until = absl::Now() + absl::Seconds(3);
  std::atomic<int> grpc_ok{0}, grpc_failed{0};
  std::string grpc_failure;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&] {
      while (absl::Now() < until) {
        Result r = GenericCall(channel_.get(), kEcho, {EchoBytes("aged")});
        if (r.status.ok()) {
          ++grpc_ok;
        } else if (grpc_failed++ == 0) {
          std::lock_guard<std::mutex> lock(mu);
          grpc_failure = r.status.error_message();
        }
      }
    });
  }
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      while (absl::Now() < until) {
        HttpResponse r = Http(port, "POST", kEcho, R"({"text": "aged"})");
        if (r.status == 200) {
          ++ok;
        } else {
          std::lock_guard<std::mutex> lock(mu);
          if (failed.empty()) first_failure = r.body;
          ++failed[r.status];
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_GT(grpc_ok.load(), 100);
  EXPECT_EQ(grpc_failed.load(), 0) << "over gRPC, the first: " << grpc_failure;
  EXPECT_GT(ok.load(), 100);
  EXPECT_TRUE(failed.empty()) << "e.g. " << failed.begin()->first << " x" << failed.begin()->second
                              << " of " << ok.load() << " calls";
}

TEST_F(GatewayTest, HttpJsonUnaryCallsAndErrors) {
  StartGateway();
  int port = gw_->http_port();
  ASSERT_GT(port, 0);
  HttpResponse ok =
      Http(port, "POST", kEcho, R"({"text": "你好"})",
           {{"Authorization", "Bearer " + Token(Role::kCountyBureau)}, {"X-Request-Id", "http-1"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.headers["x-request-id"], "http-1");
  auto body = nlohmann::json::parse(ok.body);
  EXPECT_EQ(body["text"], "你好");
  EXPECT_EQ(body["metadata"]["x-zhigai-principal"],
            "role=COUNTY_BUREAU;sub=user-COUNTY_BUREAU;code=;div=330302");
  EXPECT_EQ(body["metadata"]["x-request-id"], "http-1");

  HttpResponse missing = Http(port, "POST", kEcho, R"({"text": "gone", "failCode": 5})");
  EXPECT_EQ(missing.status, 404);
  auto err = nlohmann::json::parse(missing.body);
  EXPECT_EQ(err["code"], "not_found");
  EXPECT_EQ(err["message"], "gone");

  HttpResponse bad_json = Http(port, "POST", kEcho, R"({"txet": 1})");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_json.body)["code"], "invalid_argument");

  HttpResponse anon = Http(port, "POST", "/zhigai.registry.v1.RegistryService/LiftSanction", "{}");
  EXPECT_EQ(anon.status, 401);
  auto login = nlohmann::json::parse(anon.body);
  EXPECT_EQ(login["code"], "unauthenticated");
  // The gateway's own refusals carry the stable reason as a google.rpc.ErrorInfo detail.
  bool reason_found = false;
  for (const auto& d : login["details"]) {
    if (d["type"] == "google.rpc.ErrorInfo")
      reason_found = d["debug"]["reason"] == "LOGIN_REQUIRED";
  }
  EXPECT_TRUE(reason_found) << anon.body;

  HttpResponse expert = Http(port, "POST", "/zhigai.registry.v1.RegistryService/LiftSanction", "{}",
                             {{"Authorization", "Bearer " + Token(Role::kExpert)}});
  EXPECT_EQ(expert.status, 403);
  HttpResponse unknown = Http(port, "POST", "/zhigai.registry.v1.RegistryService/Nope", "{}");
  EXPECT_EQ(unknown.status, 403);
  HttpResponse get = Http(port, "GET", kEcho, "");
  EXPECT_EQ(get.status, 405);
  HttpResponse bidi = Http(port, "POST", "/zhigai.gatewaytest.v1.EchoService/Chat", "{}",
                           {{"Authorization", "Bearer " + Token(Role::kCityBureau)}});
  EXPECT_EQ(bidi.status, 501);
  HttpResponse expired =
      Http(port, "POST", kEcho, "{}",
           {{"Authorization", "Bearer " + rsa_.Sign(ClaimsFor(Role::kCityBureau, -3600))}});
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(backend_->received().size(), 2u);  // the two Echo calls that passed the gate
}

TEST_F(GatewayTest, HttpJsonServerStreamingAsNdjson) {
  StartGateway();
  HttpResponse r =
      Http(gw_->http_port(), "POST", "/zhigai.gatewaytest.v1.EchoService/Count", R"({"count": 3})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/x-ndjson");
  std::vector<std::string> lines = absl::StrSplit(r.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[0]), nlohmann::json::parse(R"({"result": {}})"));
  EXPECT_EQ(nlohmann::json::parse(lines[2])["result"]["index"], 2);
}

TEST_F(GatewayTest, PublicPagesServedWithTypesEtagsAndNoEscape) {
  std::string pub = dir_ + "/public";
  std::filesystem::create_directories(pub + "/css");
  WriteFile(pub + "/index.html", "<!doctype html><title>首页</title>");
  WriteFile(pub + "/css/site.css", "body{}");
  WriteFile(pub + "/app.js", "1;");
  WriteFile(pub + "/notes.md", "not served");
  WriteFile(pub + "/.secret.html", "hidden");
  WriteFile(dir_ + "/outside.html", "outside");
  GatewayOptions o = Options();
  o.public_dir = pub;
  StartGateway(std::move(o));
  int port = gw_->http_port();

  HttpResponse root = Http(port, "GET", "/", "");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.body, "<!doctype html><title>首页</title>");
  EXPECT_EQ(root.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(root.headers["cache-control"], "no-cache");
  EXPECT_EQ(root.headers["x-content-type-options"], "nosniff");
  ASSERT_FALSE(root.headers["etag"].empty());
  EXPECT_EQ(Http(port, "GET", "/index.html", "").body, root.body);
  HttpResponse css = Http(port, "GET", "/css/site.css", "");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.headers["content-type"], "text/css; charset=utf-8");
  EXPECT_EQ(Http(port, "GET", "/app.js", "").headers["content-type"],
            "text/javascript; charset=utf-8");
  // Revalidation: the same ETag gets 304 with no body; HEAD has the headers only.
  HttpResponse again = Http(port, "GET", "/", "", {{"If-None-Match", root.headers["etag"]}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  HttpResponse head = Http(port, "HEAD", "/index.html", "");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], absl::StrCat(root.body.size()));
  EXPECT_EQ(head.body, "");
  // Unknown types, hidden files, missing files and paths out of the folder are 404.
  for (const char* path : {"/notes.md", "/.secret.html", "/nope.html", "/../outside.html",
                           "/css/../../outside.html", "/%2e%2e/outside.html"}) {
    HttpResponse r = Http(port, "GET", path, "");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << path;
  }
  // The JSON methods are still POST; a GET of a method path is a page lookup (404).
  HttpResponse call = Http(port, "POST", kEcho, R"({"text": "x"})");
  EXPECT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(Http(port, "GET", kEcho, "").status, 404);
  EXPECT_EQ(backend_->received().size(), 1u);
}

TEST_F(GatewayTest, PublicPagesFolderMustExistWithAnIndex) {
  GatewayOptions missing = Options();
  missing.public_dir = dir_ + "/no-such-folder";
  EXPECT_FALSE(Gateway::Start(std::move(missing)).ok());
  std::filesystem::create_directories(dir_ + "/empty");
  GatewayOptions empty = Options();
  empty.public_dir = dir_ + "/empty";
  auto gw = Gateway::Start(std::move(empty));
  ASSERT_FALSE(gw.ok());
  EXPECT_NE(std::string(gw.status().message()).find("index.html"), std::string::npos);
}

TEST_F(GatewayTest, ShippedPublicPagesLoad) {
  GatewayOptions o = Options();
  o.public_dir = ZHIGAI_GATEWAY_PUBLIC_DIR;
  StartGateway(std::move(o));
  for (const char* page : {"/", "/directory.html", "/notices.html", "/ranking.html", "/site.css",
                           "/api.js", "/directory.js", "/notices.js", "/ranking.js"}) {
    HttpResponse r = Http(gw_->http_port(), "GET", page, "");
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_FALSE(r.body.empty()) << page;
    if (absl::EndsWith(page, ".html") || std::string(page) == "/") {
      // Accessible basics: the language and one main landmark.
      EXPECT_NE(r.body.find("<html lang=\"zh-CN\">"), std::string::npos) << page;
      EXPECT_NE(r.body.find("<main"), std::string::npos) << page;
    }
  }
}

// Issue 25 item 3: the generated reference is served as committed, to anyone, with or without
// the public pages.
TEST_F(GatewayTest, ServesTheCommittedOpenApiDocument) {
  StartGateway(Options());
  HttpResponse r = Http(gw_->http_port(), "GET", "/openapi.json", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.body, testing::ReadFile(ZHIGAI_OPENAPI_JSON));
  EXPECT_NE(r.body.find("\"/zhigai.registry.v1.RegistryService/GetInstitution\""),
            std::string::npos);
  HttpResponse head = Http(gw_->http_port(), "HEAD", "/openapi.json", "");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  // POST is a call: /openapi.json names no method, so the policy refuses it (default deny).
  HttpResponse post = Http(gw_->http_port(), "POST", "/openapi.json", "{}");
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(post.body.find("\"openapi\""), std::string::npos);
}

TEST(ConnectCodeName, IsGrpcsNameInLowerCaseButSpellsCanceled) {
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::OK), "ok");
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::CANCELLED), "canceled");
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "deadline_exceeded");
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::UNAUTHENTICATED), "unauthenticated");
  EXPECT_EQ(ConnectCodeName(99), "unknown");
}

TEST_F(GatewayTest, MetricsCountCallsByMethodCodeAndBackend) {
  StartGateway();
  GenericCall(channel_.get(), kEcho, {EchoBytes("x")});
  GenericCall(channel_.get(), kEcho, {EchoBytes("x", 5)});
  GenericCall(channel_.get(), "/zhigai.registry.v1.RegistryService/LiftSanction", {""});
  // The gateway counts a call when its own finish completes, just after the client has its
  // answer: wait for the third call's counter itself (a latency bucket line of the same method
  // also ends in `LiftSanction"} 1`, so that is no sign the counter is there).
  const std::string lift_counted =
      "backend=\"registry\",code=\"UNAUTHENTICATED\",method=\"zhigai.registry.v1."
      "RegistryService/LiftSanction\"} 1";
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text = prometheus::TextSerializer().Serialize(registry_.Collect());
    if (absl::StrContains(text, lift_counted)) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_NE(text.find("zhigai_gateway_calls_total{backend=\"gatewaytest\",code=\"OK\",method="
                      "\"zhigai.gatewaytest.v1.EchoService/Echo\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("code=\"NOT_FOUND\",method=\"zhigai.gatewaytest.v1.EchoService/Echo\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find(lift_counted), std::string::npos) << text;
}

TEST_F(GatewayTest, HealthIsServedByTheGatewayItself) {
  StartGateway();
  grpc::ClientContext ctx;
  grpc::ByteBuffer resp;
  Result r = GenericCall(channel_.get(), "/grpc.health.v1.Health/Check", {""});
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], std::string("\x08\x01", 2));  // status: SERVING
  EXPECT_TRUE(backend_->received().empty());
}

class MtlsTest : public GatewayTest {
 protected:
  std::shared_ptr<grpc::Channel> Channel(const std::string& cert, const std::string& key) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = testing::ReadFile(dir_ + "/ca.pem");
    if (!cert.empty()) {
      ssl.pem_cert_chain = testing::ReadFile(dir_ + "/" + cert);
      ssl.pem_private_key = testing::ReadFile(dir_ + "/" + key);
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(absl::StrCat("localhost:", gw_->port()),
                                     grpc::SslCredentials(ssl), args);
  }
};

// A self-signed certificate valid from 2026-12-07 to 2036-12-04 (openssl req -x509 -days 3650).
constexpr char kTenYearCertificate[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBfTCCASOgAwIBAgIUVR1/ZgebkRAdpTyf5y+KMj2cxb8wCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJdGVuIHllYXJzMB4XDTI2MTIwNzEzNTAwMVoXDTM2MTIwNDEz\n"
    "NTAwMVowFDESMBAGA1UEAwwJdGVuIHllYXJzMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAE7p8wn3/+QCQfDsCwdeUUx50VlSYmnkmkDYJYEuhlxOjPwyRjE+PJ2FYu\n"
    "Xg4P+MBeGbh5IXEa/FIlMDlPVzaPSaNTMFEwHQYDVR0OBBYEFA5HlGaHeV9e9Wdp\n"
    "6VbwTd1KQ0ZiMB8GA1UdIwQYMBaAFA5HlGaHeV9e9Wdp6VbwTd1KQ0ZiMA8GA1Ud\n"
    "EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgTh1IyZkOZ70cpIGNy/xGNm+L\n"
    "pqVjk8g9Qq/7qISCO5ECIQDrY3ia+zIkxCj+Ofcc0J7mvPc5QAp+JR6N6YPQNIcF\n"
    "7g==\n"
    "-----END CERTIFICATE-----\n";

// The ZhigaiCertificateExpiresSoon alert reads this gauge (issue 25 item 5).
TEST_F(MtlsTest, CertificateExpiryGaugeIsTheEarliestNotAfterOfTheBundle) {
  ASSERT_TRUE(testing::MakeTestPki(dir_, "/CN=policy-platform/O=Wenzhou"));
  // The test PKI's certificates are valid for one day from now.
  auto server = EarliestNotAfter(testing::ReadFile(dir_ + "/server.pem"));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_NEAR(absl::ToDoubleHours(*server - absl::Now()), 24, 0.1);
  // A bundle expires with its first certificate: a 1-day CA ahead of a 10-year one.
  auto bundle = EarliestNotAfter(testing::ReadFile(dir_ + "/ca.pem") + kTenYearCertificate);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_NEAR(absl::ToDoubleHours(*bundle - absl::Now()), 24, 0.1);
  EXPECT_EQ(EarliestNotAfter("no certificate here").status().code(),
            absl::StatusCode::kInvalidArgument);

  auto families = IdentityMetrics(nullptr, {{"server", *server}})->Collect();
  ASSERT_EQ(families.size(), 1u);  // no JWKS: only the certificates
  EXPECT_EQ(families[0].name, "zhigai_gateway_certificate_expiry_timestamp_seconds");
  ASSERT_EQ(families[0].metric.size(), 1u);
  EXPECT_EQ(families[0].metric[0].label.at(0).name, "certificate");
  EXPECT_EQ(families[0].metric[0].label.at(0).value, "server");
  EXPECT_DOUBLE_EQ(families[0].metric[0].gauge.value,
                   absl::ToDoubleSeconds(*server - absl::UnixEpoch()));
}

TEST_F(MtlsTest, ClientCertificateSubjectMapsToPrincipal) {
  ASSERT_TRUE(testing::MakeTestPki(dir_, "/CN=policy-platform/O=Wenzhou"));
  GatewayOptions o = Options();
  o.tls = TlsOptions{testing::ReadFile(dir_ + "/server.pem"),
                     testing::ReadFile(dir_ + "/server.key"), testing::ReadFile(dir_ + "/ca.pem")};
  o.authn.certs =
      *ParseCertTable("O=Wenzhou,CN=policy-platform\tPOLICY_PLATFORM\tpolicy-platform\n");
  StartGateway(std::move(o));

  Result machine = GenericCall(Channel("client.pem", "client.key").get(), kEcho, {EchoBytes("m")});
  ASSERT_TRUE(machine.status.ok()) << machine.status.error_message();
  // No certificate: an anonymous caller over TLS.
  Result anon = GenericCall(Channel("", "").get(), kEcho, {EchoBytes("a")});
  ASSERT_TRUE(anon.status.ok()) << anon.status.error_message();
  // A certificate from another CA does not get through the handshake.
  Result rogue = GenericCall(Channel("rogue.pem", "rogue.key").get(), kEcho, {EchoBytes("r")});
  EXPECT_EQ(rogue.status.error_code(), grpc::StatusCode::UNAVAILABLE);

  auto got = backend_->received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(Get(got[0].metadata, auth::kPrincipalHeader),
            "role=POLICY_PLATFORM;sub=policy-platform;code=;div=");
  EXPECT_EQ(Get(got[1].metadata, auth::kPrincipalHeader), "role=PUBLIC;sub=anonymous;code=;div=");
}

TEST_F(MtlsTest, CertificateNotInTheTableIsUnauthenticated) {
  ASSERT_TRUE(testing::MakeTestPki(dir_, "/CN=unknown-system"));
  GatewayOptions o = Options();
  o.tls = TlsOptions{testing::ReadFile(dir_ + "/server.pem"),
                     testing::ReadFile(dir_ + "/server.key"), testing::ReadFile(dir_ + "/ca.pem")};
  o.authn.certs = *ParseCertTable("CN=policy-platform\tPOLICY_PLATFORM\tpolicy-platform\n");
  StartGateway(std::move(o));
  Result r = GenericCall(Channel("client.pem", "client.key").get(), kEcho, {EchoBytes("m")});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(r.status.error_message().find("CN=unknown-system"), std::string::npos)
      << r.status.error_message();
  EXPECT_TRUE(backend_->received().empty());
}

}  // namespace
}  // namespace zhigai::gateway
