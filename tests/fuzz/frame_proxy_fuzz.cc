// The frame proxy, the gateway's most exposed code, fed arbitrary HTTP/2 from both of its sides
// (issue 22 item 12). One gateway runs in this process: one worker thread, the shipped policy,
// no identity provider, and the registry's package routed to a socket this harness answers on
// as the backend. Each input is a script (frame_proxy_script.h): a client connection opens with
// the preface, SETTINGS and the HEADERS of a call the input chooses (or with raw bytes), then
// records send raw frames, header blocks or gRPC messages to either side, or let the gateway run.
//
// Invariants after every input, beside ASan and UBSan (fatal) on everything in between:
//  - once both of its connections are closed, no forwarded call is left (Gateway::live_calls
//    falls to zero): nothing hostile makes the proxy leak or strand a call;
//  - a new client still gets SERVING from grpc.health.v1.Health/Check: one hostile peer, on
//    either side, never takes the gateway away from the others.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/server/log.h"
#include "services/gateway/gateway.h"
#include "services/gateway/linked_protos.h"
#include "tests/fuzz/frame_proxy_script.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace gw = zhigai::gateway;
namespace script = zhigai::fuzz::frame_proxy;

int Listen(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  Require(fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
              listen(fd, 64) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0,
          "the harness's backend socket does not listen");
  *port = ntohs(addr.sin_port);
  return fd;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  Require(fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0,
          "cannot connect to the gateway");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Best effort: a peer that closed or reset is part of what is being fuzzed.
void Send(int fd, const std::string& bytes) {
  if (fd < 0) return;
  for (size_t sent = 0; sent < bytes.size();) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 50) <= 0) return;  // the gateway stopped reading: so be it
    } else {
      return;
    }
  }
}

struct Harness {
  int backend_listen = -1;
  std::unique_ptr<gw::Gateway> gateway;
  std::shared_ptr<grpc::Channel> health;
};

Harness& TheHarness() {
  static Harness* h = [] {
    auto* out = new Harness;
    // ZHIGAI_FUZZ_VERBOSE=1: the gateway's log of each call, to see what the seeds reach.
    zhigai::log::Init("gateway-fuzz", std::getenv("ZHIGAI_FUZZ_VERBOSE")
                                          ? zhigai::log::Level::kDebug
                                          : zhigai::log::Level::kError);
    int backend_port = 0;
    out->backend_listen = Listen(&backend_port);
    auto policy = gw::Policy::Load(ZHIGAI_FUZZ_POLICY);
    Require(policy.ok(), "the shipped policy does not load");
    gw::GatewayOptions o;
    o.policy = *policy;
    o.proto_files = gw::LinkedProtoFiles();
    o.internal_proof = "frame-proxy-fuzz";
    o.backends.addresses["zhigai.registry.v1"] = absl::StrCat("127.0.0.1:", backend_port);
    o.threads = 1;  // one loop: a script meets the same interleavings when it is replayed
    auto gateway = gw::Gateway::Start(std::move(o));
    Require(gateway.ok(), "the gateway does not start");
    out->gateway = std::move(*gateway);
    out->gateway->SetServing(true);
    out->health = grpc::CreateChannel(absl::StrCat("127.0.0.1:", out->gateway->port()),
                                      grpc::InsecureChannelCredentials());
    return out;
  }();
  return *h;
}

// ZHIGAI_FUZZ_VERBOSE=1: what the gateway sent each side, frame by frame (types, flags,
// streams), to see what a seed reaches. Frames split across reads are shown in part.
void Trace(const char* side, const char* data, ssize_t n) {
  static const bool verbose = std::getenv("ZHIGAI_FUZZ_VERBOSE") != nullptr;
  if (!verbose || n <= 0) return;
  std::string line = absl::StrCat(side, " got ", n, " bytes:");
  for (ssize_t i = 0; i + 9 <= n;) {
    auto at = [&](ssize_t k) { return static_cast<uint8_t>(data[i + k]); };
    uint32_t length = at(0) << 16 | at(1) << 8 | at(2);
    uint32_t stream = (at(5) & 0x7f) << 24 | at(6) << 16 | at(7) << 8 | at(8);
    absl::StrAppend(&line, " [type ", at(3), " flags ", at(4), " stream ", stream, " len ", length,
                    "]");
    i += 9 + length;
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Takes the gateway's connection to the backend when one is waiting, and answers it with the
// server's preface (an empty SETTINGS frame), as a real backend would before anything else.
void AcceptBackend(int listen_fd, int* backend) {
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  if (*backend >= 0) {
    close(fd);  // one backend connection per script; a second one is refused by closing it
    return;
  }
  *backend = fd;
  int one = 1;  // each record leaves at once, as the script orders it (no Nagle delay)
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Send(fd, script::Frame(script::kSettings, 0, 0, ""));
  // Take the gateway's opening (its preface, SETTINGS and the call's HEADERS, written in one
  // turn of its loop), so that what the script answers follows the request as it would.
  pollfd p{fd, POLLIN, 0};
  char buf[16384];
  if (poll(&p, 1, 50) > 0) Trace("backend", buf, recv(fd, buf, sizeof buf, MSG_DONTWAIT));
}

// The first time a script writes to the backend before the gateway has connected there: wait
// a little for the connection (the call is on its way), so that a script means the same thing
// whatever the machine's speed. A call refused before any backend costs this wait only once.
void AwaitBackend(int listen_fd, int* backend, bool* waited) {
  if (*backend >= 0 || *waited) return;
  *waited = true;
  pollfd p{listen_fd, POLLIN, 0};
  if (poll(&p, 1, 20) > 0) AcceptBackend(listen_fd, backend);
}

// Reads and drops what the gateway sent on both sides for up to `ms` (0: what is there now);
// true when something came.
bool Pump(int client, int backend, int listen_fd, int* accepted, int ms) {
  absl::Time end = absl::Now() + absl::Milliseconds(ms);
  char buf[16384];
  bool got = false;
  do {
    pollfd p[2] = {{client, POLLIN, 0}, {backend, POLLIN, 0}};
    poll(p, 2, ms > 0 ? 1 : 0);
    for (const pollfd& q : p) {
      if (q.fd >= 0 && (q.revents & (POLLIN | POLLHUP | POLLERR))) {
        for (ssize_t n; (n = recv(q.fd, buf, sizeof buf, MSG_DONTWAIT)) > 0;) {
          Trace(q.fd == client ? "client" : "backend", buf, n);
          got = true;
        }
      }
    }
    AcceptBackend(listen_fd, accepted);
  } while (absl::Now() < end);
  return got;
}

bool HealthCheckServes(grpc::Channel* channel) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&ctx, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  Require(cq.Next(&tag, &ok), "the health check's completion queue ended");
  if (!status.ok()) {
    std::fprintf(stderr, "health check: %d %s\n", status.error_code(),
                 status.error_message().c_str());
    return false;
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes == std::string("\x08\x01", 2);  // HealthCheckResponse{status: SERVING}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = TheHarness();
  script::Reader in(data, size);
  int client = Connect(h.gateway->port());
  int backend = -1;
  bool waited_for_backend = false;
  Send(client, script::Opening(in));
  for (int records = 0; !in.done() && records < script::kMaxRecords; ++records) {
    Pump(client, backend, h.backend_listen, &backend, 0);
    script::Record r = script::NextRecord(in);
    switch (r.action) {
      case script::Action::kToClientSide:
        Send(client, r.bytes);
        break;
      case script::Action::kToBackendSide:
        AwaitBackend(h.backend_listen, &backend, &waited_for_backend);
        Send(backend, r.bytes);
        break;
      case script::Action::kRun:
        Pump(client, backend, h.backend_listen, &backend, r.milliseconds);
        break;
      case script::Action::kClientHalfCloses:
        shutdown(client, SHUT_WR);
        break;
      case script::Action::kBackendCloses:
        if (backend >= 0) close(backend);
        backend = -1;
        break;
    }
  }
  // The end of the script: let the gateway finish what it was given (until both sides have
  // been quiet for 2 ms, at most 200 ms), then both peers hang up.
  for (int i = 0; i < 100 && Pump(client, backend, h.backend_listen, &backend, 2); ++i) {
  }
  close(client);
  if (backend >= 0) close(backend);

  // Both connections are gone: every call they carried must end. A backend connection the
  // gateway opens late is closed at once (the call on it has lost its client anyway).
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (h.gateway->live_calls() > 0 && absl::Now() < give_up) {
    int late = -1;
    AcceptBackend(h.backend_listen, &late);
    if (late >= 0) close(late);
    absl::SleepFor(absl::Microseconds(200));
  }
  Require(h.gateway->live_calls() == 0,
          "a forwarded call outlived both of its connections (Gateway::live_calls > 0)");
  // No call is left to open a backend connection: one still queued must not meet the next
  // script (a replayed input meets the gateway as it met it the first time).
  for (int stale = -1; AcceptBackend(h.backend_listen, &stale), stale >= 0; stale = -1) {
    close(stale);
  }
  Require(HealthCheckServes(h.health.get()),
          "after the script, a new client does not get SERVING from Health/Check");
  return 0;
}
