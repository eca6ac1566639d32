// The gateway's integration-test fixture: an echo backend, signing keys and a JWKS, the shipped
// policy plus the echo service's lines, and helpers for calls of every shape over gRPC and HTTP.
#pragma once

#include <arpa/inet.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/gateway/gateway.h"
#include "services/gateway/http_json.h"
#include "services/gateway/linked_protos.h"
#include "services/gateway/tests/echo_backend.h"
#include "services/gateway/tests/tokens.h"
#include "zhigai/gatewaytest/v1/echo.grpc.pb.h"

namespace zhigai::gateway::fixture {

using auth::Role;
using testing::EchoBackend;
using testing::SigningKey;
namespace v1 = zhigai::gatewaytest::v1;

inline constexpr char kProof[] = "gateway-test-proof";
inline constexpr char kIssuer[] = "https://id.test";
inline constexpr char kEchoProto[] = "zhigai/gatewaytest/v1/echo.proto";
inline constexpr char kEcho[] = "/zhigai.gatewaytest.v1.EchoService/Echo";

inline std::string EchoPolicyLines() {
  std::string all =
      "PUBLIC CITY_BUREAU COUNTY_BUREAU INSTITUTION ENTERPRISE EXPERT POLICY_PLATFORM SERVICE";
  std::string out;
  for (const char* m : {"Echo", "Collect", "Count", "Chat", "Hang"}) {
    absl::StrAppend(&out, "zhigai.gatewaytest.v1.EchoService/", m, " ",
                    std::string(m) == "Echo" || std::string(m) == "Count"
                        ? all
                        : "CITY_BUREAU INSTITUTION POLICY_PLATFORM",
                    "\n");
  }
  return out;
}

// Every service linked into the gateway, and the test service.
inline std::vector<std::string> ProtoFiles() {
  std::vector<std::string> files = LinkedProtoFiles();
  files.push_back(kEchoProto);
  return files;
}

inline std::string PolicyText() {
  return testing::ReadFile(ZHIGAI_GATEWAY_POLICY) + EchoPolicyLines();
}

// Claims for a token of `role`, complete as the mapping requires.
inline nlohmann::json ClaimsFor(Role role, int64_t exp_in = 300) {
  int64_t now = absl::ToUnixSeconds(absl::Now());
  nlohmann::json c = {{"iss", kIssuer},
                      {"aud", "zhigai"},
                      {"sub", absl::StrCat("user-", auth::RoleName(role))},
                      {"exp", now + exp_in},
                      {"nbf", now - 5},
                      {"zhigai_role", std::string(auth::RoleName(role))}};
  if (role == Role::kInstitution || role == Role::kEnterprise) c["uscc"] = "91330302123456788P";
  if (role == Role::kCityBureau) c["division_code"] = "330300";
  if (role == Role::kCountyBureau) c["division_code"] = "330302";
  return c;
}

struct Result {
  grpc::Status status;
  std::vector<std::string> messages;
  std::multimap<std::string, std::string> initial, trailing;
};

// Any call shape through a generic stub: sends `requests`, half-closes, reads everything.
inline Result GenericCall(grpc::Channel* channel, const std::string& method,
                          const std::vector<std::string>& requests,
                          const std::multimap<std::string, std::string>& metadata = {},
                          absl::Duration timeout = absl::Seconds(10)) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  for (const auto& r : requests) {
    grpc::Slice s(r);
    grpc::ByteBuffer b(&s, 1);
    call->Write(b, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    if (!ok) break;
  }
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  Result out;
  for (;;) {
    grpc::ByteBuffer b;
    call->Read(&b, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
    if (!ok) break;
    std::vector<grpc::Slice> slices;
    (void)b.Dump(&slices);
    std::string msg;
    for (auto& s : slices) msg.append(reinterpret_cast<const char*>(s.begin()), s.size());
    out.messages.push_back(msg);
  }
  call->Finish(&out.status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  for (const auto& [k, v] : ctx.GetServerInitialMetadata())
    out.initial.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata())
    out.trailing.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

inline std::string Get(const std::multimap<std::string, std::string>& md, const std::string& key) {
  auto it = md.find(key);
  return it == md.end() ? "" : it->second;
}

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A minimal HTTP/1.1 client (Connection: close; decodes chunked bodies).
inline HttpResponse Http(int port, const std::string& method, const std::string& path,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers = {}) {
  HttpResponse out;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return out;
  }
  std::string req = absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: localhost\r\n",
                                 "Connection: close\r\nContent-Type: application/json\r\n",
                                 "Content-Length: ", body.size(), "\r\n");
  for (const auto& [k, v] : headers) absl::StrAppend(&req, k, ": ", v, "\r\n");
  absl::StrAppend(&req, "\r\n", body);
  (void)!write(fd, req.data(), req.size());
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) raw.append(buf, n);
  close(fd);
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return out;
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() >= 2) (void)absl::SimpleAtoi(status_line[1], &out.status);
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
    out.headers[name] = std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  std::string rest = raw.substr(end + 4);
  if (out.headers["transfer-encoding"] == "chunked") {
    size_t pos = 0;
    while (pos < rest.size()) {
      size_t eol = rest.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      out.body += rest.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
  } else {
    out.body = rest;
  }
  return out;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    jwks_path_ = dir_ + "/jwks.json";
    testing::WriteJwks(jwks_path_, {&rsa_, &ec_});
    backend_ = std::make_unique<EchoBackend>();
  }

  GatewayOptions Options() {
    GatewayOptions o;
    o.http_listen = "127.0.0.1:0";
    o.internal_proof = kProof;
    o.policy = *Policy::Parse(PolicyText());
    o.proto_files = ProtoFiles();
    auto services = *ServicesOf(o.proto_files);
    for (const auto* svc : services) {
      o.backends.addresses[svc->file()->package()] = backend_->address();
    }
    o.jwks_file = jwks_path_;
    o.authn.jwt = {kIssuer, "zhigai", absl::Seconds(60)};
    o.authn.claims = *ClaimsMapping::Load(ZHIGAI_GATEWAY_CLAIMS);
    // The tests also play zhigai's own services, which the shipped mapping never grants.
    o.authn.claims.roles["SERVICE"] = Role::kService;
    o.metrics = &registry_;
    return o;
  }

  void StartGateway(GatewayOptions o) {
    auto gw = Gateway::Start(std::move(o));
    ASSERT_TRUE(gw.ok()) << gw.status();
    gw_ = std::move(*gw);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gw_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  void StartGateway() { StartGateway(Options()); }

  std::string Token(Role role) { return rsa_.Sign(ClaimsFor(role)); }
  std::multimap<std::string, std::string> As(Role role) {
    if (role == Role::kPublic) return {};
    return {{"authorization", "Bearer " + Token(role)}};
  }

  std::string EchoBytes(const std::string& text, int fail_code = 0) {
    v1::EchoRequest r;
    r.set_text(text);
    r.set_fail_code(fail_code);
    return r.SerializeAsString();
  }

  inline static SigningKey rsa_ = SigningKey::Rsa("rsa-1");
  inline static SigningKey ec_ = SigningKey::Ec("ec-1");
  std::string dir_, jwks_path_;
  prometheus::Registry registry_;
  std::unique_ptr<EchoBackend> backend_;
  std::unique_ptr<Gateway> gw_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace zhigai::gateway::fixture
