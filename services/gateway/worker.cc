#include "services/gateway/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "libs/auth/principal.h"
#include "libs/server/grpc_status.h"
#include "libs/server/log.h"
#include "services/gateway/backend_addresses.h"
#include "services/gateway/backend_metadata.h"
#include "services/gateway/gateway.h"
#include "services/gateway/grpc_wire.h"
#include "services/gateway/proxy.h"

namespace zhigai::gateway {
namespace {

constexpr absl::string_view kHealthCheck = "/grpc.health.v1.Health/Check";
constexpr absl::string_view kHealthWatch = "/grpc.health.v1.Health/Watch";
constexpr absl::string_view kReflection = "/grpc.reflection.";

// gRPC status codes by number, as they travel in grpc-status.
enum Code : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
};

using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

std::vector<nghttp2_nv> NameValues(const Headers& headers) {
  std::vector<nghttp2_nv> out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    out.push_back({const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(name.data())),
                   const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(value.data())),
                   name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return out;
}

std::string* Find(Headers& headers, absl::string_view name) {
  for (auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

// Request metadata a client may send on: its own keys, and of the transport's only those the
// backend needs to read the messages and to know the deadline.
bool ForwardedRequestKey(absl::string_view key) {
  if (key == "content-type" || key == "te" || key == "grpc-timeout" || key == "grpc-encoding" ||
      key == "grpc-accept-encoding") {
    return true;
  }
  return !IsStrippedRequestKey(key);
}

}  // namespace

class ClientConnection;
class BackendConnection;

// Bytes on their way from one side of a call to the other. Each is consumed from its sender's
// stream window when it is passed on, so a slow reader slows its writer.
struct Pipe {
  std::string bytes;
  size_t sent = 0;
  size_t pending() const { return bytes.size() - sent; }
  void DropPending() { bytes.resize(sent); }
  void Clear() {
    bytes.clear();
    sent = 0;
  }
  // Moves up to `length` bytes into `buf` and credits them to `sender`'s stream (when it is
  // still there); `*drained` when nothing is left.
  size_t Pass(uint8_t* buf, size_t length, H2Connection* sender, int32_t sender_stream,
              bool* drained);
};

// One forwarded call: a stream on a client connection and, once admitted, one on a backend
// connection. Deleted when neither side holds it any more.
struct Call {
  Call(Proxy& proxy, EventLoop& loop, uint32_t limit)
      : proxy(proxy), loop(loop), request_sizes(limit), response_sizes(limit) {
    proxy.live_calls.fetch_add(1);
  }
  ~Call() { proxy.live_calls.fetch_sub(1); }

  Proxy& proxy;
  EventLoop& loop;
  ClientConnection* client = nullptr;
  int32_t client_stream = 0;
  BackendConnection* backend = nullptr;
  int32_t backend_stream = 0;

  // The request as the client sent it.
  std::string path, authorization, sent_request_id, timeout;
  Headers forwarded;
  absl::Time start;
  EventLoop::Timers::iterator deadline;
  bool has_deadline = false;

  Pipe to_backend, to_client;
  bool client_half_closed = false;  // the client sent END_STREAM
  bool backend_answered = false;    // the backend's trailers (or the gateway's) are in hand
  wire::MessageSizeWatch request_sizes, response_sizes;

  Headers trailers;
  bool response_started = false;  // response headers handed to the client session
  bool status_decided = false;    // `code` is what the client gets
  bool client_cancelled = false;
  bool recorded = false;
  bool local_health = false;
  int code = kUnknown;

  MethodInfo* method = nullptr;
  std::string request_id, role = "-";
};

class CallConnection : public H2Connection {
 public:
  using H2Connection::H2Connection;
  absl::flat_hash_set<Call*> calls;
};

class BackendConnection : public CallConnection {
 public:
  BackendConnection(Worker& worker, Backend* backend, int fd)
      : CallConnection(worker.loop(), worker, fd, nullptr, /*connecting=*/true),
        worker_(worker),
        backend_(backend) {}
  Backend* backend() const { return backend_; }
  bool retired = false;  // a GOAWAY or an error: no new calls, the old ones finish
  absl::Status Open();

 protected:
  void OnLost(absl::string_view why) override;

 private:
  Worker& worker_;
  Backend* backend_;
};

class ClientConnection : public CallConnection {
 public:
  ClientConnection(Worker& worker, int fd, SSL* ssl)
      : CallConnection(worker.loop(), worker, fd, ssl, /*connecting=*/false),
        worker_(worker),
        age_timer_(worker.loop().NoTimer()) {}
  absl::Status Open();
  Worker& worker() { return worker_; }
  // Asks the client to go away once its calls are done (GOAWAY with the last stream taken).
  void GoAway();

 protected:
  void OnLost(absl::string_view why) override;

 private:
  void Age();
  Worker& worker_;
  EventLoop::Timers::iterator age_timer_;
  bool going_away_ = false;
};

namespace {

// Flow control is end to end per stream: a stream's window is given back as its bytes are
// passed on, so a slow reader slows only its own writer. The connection's window is given back
// as soon as bytes arrive (at the top of ClientData and BackendData): a connection to a backend
// is shared by every caller of that worker, and one caller that does not read must not stall
// the others by holding the connection's window.
void ConsumeStream(nghttp2_session* session, int32_t stream, size_t n) {
  if (session && n > 0) nghttp2_session_consume_stream(session, stream, n);
}

}  // namespace

size_t Pipe::Pass(uint8_t* buf, size_t length, H2Connection* sender, int32_t sender_stream,
                  bool* drained) {
  size_t n = std::min(length, pending());
  std::memcpy(buf, bytes.data() + sent, n);
  sent += n;
  if (sender && n > 0) {
    ConsumeStream(sender->session(), sender_stream, n);
    sender->MarkDirty();
  }
  *drained = sent == bytes.size();
  if (*drained) Clear();
  return n;
}

namespace {

// ---- ending a call -----------------------------------------------------------------------

void MaybeDelete(Call* call) {
  if (call->client == nullptr && call->backend == nullptr) {
    if (call->has_deadline) call->loop.Cancel(call->deadline);
    delete call;
  }
}

void Record(Call* call) {
  if (call->recorded || call->local_health) return;
  call->recorded = true;
  Gateway& gw = call->proxy.gateway();
  double seconds = absl::ToDoubleSeconds(absl::Now() - call->start);
  if (call->method) {
    gw.metrics().Record(call->method, call->code, seconds);
  } else if (!absl::StartsWith(call->path, kReflection)) {
    gw.metrics().RecordUnknown(call->code);
  }
  if (!log::Enabled(log::Level::kInfo)) return;  // spare the fields' strings
  log::Info("call",
            {{"request_id", call->request_id},
             {"method", call->method ? call->method->label : call->path},
             {"code", server::GrpcCodeName(call->code)},
             {"backend", call->method && call->method->backend ? call->method->backend->name : "-"},
             {"role", call->role},
             {"ms", absl::StrCat(static_cast<int64_t>(seconds * 1e6) / 1e3)}});
}

void CancelAtBackend(Call* call) {
  if (!call->backend || call->backend_stream <= 0) return;
  nghttp2_submit_rst_stream(call->backend->session(), NGHTTP2_FLAG_NONE, call->backend_stream,
                            NGHTTP2_CANCEL);
  call->backend->MarkDirty();
}

// Bytes the proxy took but will never pass on still count against their sender's stream window
// until they are consumed: whenever bytes are dropped on a stream that goes on, they are given
// back.
void DropToClient(Call* call) {
  size_t n = call->to_client.pending();
  if (call->backend && n > 0) {
    ConsumeStream(call->backend->session(), call->backend_stream, n);
    call->backend->MarkDirty();
  }
  call->to_client.DropPending();
}

void DropToBackend(Call* call) {
  size_t n = call->to_backend.pending();
  // A health check's bytes were consumed as they came (ClientData).
  if (call->client && !call->local_health && n > 0) {
    ConsumeStream(call->client->session(), call->client_stream, n);
    call->client->MarkDirty();
  }
  call->to_backend.Clear();
}

// The backend's stream is over (closed, or its connection lost): nothing more is owed to it, and
// nothing more can be sent to it. Bytes still queued for the client stay queued.
void DetachBackend(Call* call) {
  if (!call->backend) return;
  DropToBackend(call);
  call->backend = nullptr;
}

Headers StatusTrailers(int code, absl::string_view message, absl::string_view details) {
  Headers out = {{"grpc-status", absl::StrCat(code)}};
  if (!message.empty()) out.push_back({"grpc-message", wire::PercentEncode(message)});
  if (!details.empty()) out.push_back({"grpc-status-details-bin", absl::Base64Escape(details)});
  return out;
}

ssize_t ReadToClient(nghttp2_session* session, int32_t stream, uint8_t* buf, size_t length,
                     uint32_t* flags, nghttp2_data_source* source, void*);

// Hands the client its response headers; the body and the trailers follow through ReadToClient.
void StartResponse(Call* call, Headers headers) {
  if (!call->client || call->response_started) return;
  call->response_started = true;
  Headers out = {{":status", "200"}};
  bool has_id = false, has_type = false;
  for (auto& h : headers) {
    if (absl::StartsWith(h.first, ":")) continue;
    has_id = has_id || h.first == auth::kRequestIdHeader;
    has_type = has_type || h.first == "content-type";
    out.push_back(std::move(h));
  }
  if (!has_type) out.push_back({"content-type", "application/grpc"});
  if (!has_id && !call->request_id.empty()) {
    out.push_back({auth::kRequestIdHeader, call->request_id});
  }
  auto nv = NameValues(out);
  nghttp2_data_provider provider{};
  provider.source.ptr = call;
  provider.read_callback = ReadToClient;
  nghttp2_submit_response(call->client->session(), call->client_stream, nv.data(), nv.size(),
                          &provider);
  call->client->MarkDirty();
}

void ResumeToClient(Call* call) {
  if (!call->client) return;
  nghttp2_session_resume_data(call->client->session(), call->client_stream);
  call->client->MarkDirty();
}

// The gateway itself ends the call with `code` (a refusal, a limit, a deadline, a backend that
// went away). What the backend had not yet delivered is dropped.
void Fail(Call* call, int code, absl::string_view message, absl::string_view details = "") {
  if (call->status_decided) return;
  call->status_decided = true;
  call->code = code;
  if (!call->client) return;
  DropToClient(call);
  call->trailers = StatusTrailers(code, message, details);
  call->backend_answered = true;
  if (!call->response_started) return StartResponse(call, {});
  ResumeToClient(call);
}

void FailWithStatus(Call* call, const absl::Status& status) {
  grpc::Status g = server::ToGrpcStatus(status);
  Fail(call, static_cast<int>(g.error_code()), g.error_message(), g.error_details());
}

// A backend's final status, made the client's: the code is recorded, and a cancellation the
// client did not ask for (a backend that is draining) becomes UNAVAILABLE, safe to retry with
// the same request id.
void TakeBackendStatus(Call* call, Headers& trailers) {
  std::string* status = Find(trailers, "grpc-status");
  int code = kUnknown;
  if (!status || !absl::SimpleAtoi(*status, &code)) {
    code = kInternal;
    trailers.push_back({"grpc-status", absl::StrCat(kInternal)});
    trailers.push_back({"grpc-message", "the backend ended the call without a status"});
  } else if (code == kCancelled && !call->client_cancelled) {
    code = kUnavailable;
    *status = absl::StrCat(kUnavailable);
    std::string message = "the backend stopped while handling the call; retry it";
    if (std::string* m = Find(trailers, "grpc-message")) {
      *m = message;
    } else {
      trailers.push_back({"grpc-message", message});
    }
  }
  call->status_decided = true;
  call->code = code;
}

// ---- data providers ---------------------------------------------------------------------

ssize_t ReadToClient(nghttp2_session* session, int32_t stream, uint8_t* buf, size_t length,
                     uint32_t* flags, nghttp2_data_source* source, void*) {
  auto* call = static_cast<Call*>(source->ptr);
  bool drained = false;
  size_t n = call->to_client.Pass(buf, length, call->backend, call->backend_stream, &drained);
  if (drained) {
    if (call->backend_answered) {
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      auto nv = NameValues(call->trailers);
      nghttp2_submit_trailer(session, stream, nv.data(), nv.size());
      return static_cast<ssize_t>(n);
    }
    if (n == 0) return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(n);
}

ssize_t ReadToBackend(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                      nghttp2_data_source* source, void*) {
  auto* call = static_cast<Call*>(source->ptr);
  bool drained = false;
  size_t n = call->to_backend.Pass(buf, length, call->client, call->client_stream, &drained);
  if (drained) {
    if (call->client_half_closed) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    }
    if (n == 0) return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(n);
}

// ---- the client side ----------------------------------------------------------------------

void AnswerHealth(Call* call) {
  grpc::health::v1::HealthCheckRequest request;
  absl::string_view body = call->to_backend.bytes;
  if (body.size() < 5 || body[0] != 0 ||
      !request.ParseFromArray(body.data() + 5, body.size() - 5)) {
    return Fail(call, kInvalidArgument, "unreadable HealthCheckRequest");
  }
  // One status for the whole process, under "" and under the services' readiness name, so
  // probes written for the backends work here too.
  if (!request.service().empty() && request.service() != "readiness") {
    return Fail(call, kNotFound,
                absl::StrCat("unknown health service \"", request.service(), "\""));
  }
  grpc::health::v1::HealthCheckResponse response;
  response.set_status(call->proxy.serving() ? grpc::health::v1::HealthCheckResponse::SERVING
                                            : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  std::string message = response.SerializeAsString();
  uint32_t size = htonl(static_cast<uint32_t>(message.size()));
  call->to_client.bytes.assign(1, '\0');
  call->to_client.bytes.append(reinterpret_cast<const char*>(&size), 4);
  call->to_client.bytes += message;
  call->trailers = StatusTrailers(kOk, "", "");
  call->backend_answered = true;
  call->status_decided = true;
  call->code = kOk;
  StartResponse(call, {});
}

void ClientHalfClosed(Call* call) {
  call->client_half_closed = true;
  if (call->local_health && !call->status_decided) return AnswerHealth(call);
  if (call->backend && call->backend_stream > 0) {
    nghttp2_session_resume_data(call->backend->session(), call->backend_stream);
    call->backend->MarkDirty();
  }
}

void DeadlinePassed(Call* call) {
  call->has_deadline = false;
  CancelAtBackend(call);
  Fail(call, kDeadlineExceeded, "deadline exceeded at the gateway");
}

// TCP options of every proxied connection: no Nagle delay, and keepalive probes so that a peer
// that vanished without closing (a node lost, a partition) is noticed in about a minute rather
// than holding its calls until their deadlines.
void TuneSocket(int fd) {
  int one = 1, idle = 30, interval = 10, probes = 3, unacked_ms = 60000;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes));
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &unacked_ms, sizeof(unacked_ms));
}

std::string PeerName(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    return absl::StrCat("ipv6:[", host, "]:", ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
  return absl::StrCat("ipv4:", host, ":", ntohs(a->sin_port));
}

// The request's headers are complete: admit it, then open its stream to the backend.
void BeginCall(ClientConnection* conn, Call* call) {
  call->start = absl::Now();
  if (call->path == kHealthCheck) {
    call->local_health = true;  // answered once the request message is in (ClientHalfClosed)
    return;
  }
  if (call->path == kHealthWatch) {
    call->local_health = true;
    return Fail(call, kUnimplemented, "the gateway answers grpc.health.v1.Health/Check only");
  }
  call->request_id = UsableRequestId(call->sent_request_id);
  if (call->request_id.empty()) call->request_id = NewRequestId();
  Proxy& proxy = call->proxy;
  Gateway& gw = proxy.gateway();
  Backend* backend = nullptr;
  Headers headers;
  if (absl::StartsWith(call->path, kReflection)) {
    // The gateway's own reflection service: schema only, open to all as on every service.
    backend = proxy.local_backend();
  } else {
    absl::StatusOr<Admission> admission =
        gw.Admit(call->path, call->authorization, conn->peer_subject(), conn->peer_address());
    call->method = gw.methods().Find(call->path);
    if (!admission.ok()) return FailWithStatus(call, admission.status());
    call->role = std::string(auth::RoleName(admission->principal.role));
    backend = admission->method->backend;
    headers.push_back({auth::kPrincipalHeader, auth::EncodePrincipal(admission->principal)});
    headers.push_back({auth::kInternalProofHeader, gw.internal_proof()});
  }
  headers.push_back({auth::kRequestIdHeader, call->request_id});
  if (!call->timeout.empty()) {
    auto timeout = wire::ParseTimeout(call->timeout);
    if (!timeout) return Fail(call, kInternal, "malformed grpc-timeout");
    call->has_deadline = true;
    call->deadline =
        conn->worker().loop().At(call->start + *timeout, [call] { DeadlinePassed(call); });
  }
  std::string why;
  BackendConnection* to = conn->worker().ConnectionTo(backend, &why);
  if (!to) return Fail(call, kUnavailable, why);
  Headers request = {{":method", "POST"},
                     {":scheme", "http"},
                     {":authority", backend->address},
                     {":path", call->path}};
  for (auto& h : call->forwarded) request.push_back(std::move(h));
  call->forwarded.clear();
  for (auto& h : headers) request.push_back(std::move(h));
  auto nv = NameValues(request);
  nghttp2_data_provider provider{};
  provider.source.ptr = call;
  provider.read_callback = ReadToBackend;
  int32_t id =
      nghttp2_submit_request(to->session(), nullptr, nv.data(), nv.size(), &provider, call);
  if (id < 0) {
    return Fail(call, kUnavailable,
                absl::StrCat("backend ", backend->name, ": ", nghttp2_strerror(id)));
  }
  call->backend = to;
  call->backend_stream = id;
  to->calls.insert(call);
  to->MarkDirty();
}

int ClientBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto* conn = static_cast<ClientConnection*>(user);
  auto* call = new Call(conn->worker().proxy(), conn->worker().loop(),
                        conn->worker().proxy().max_message_bytes());
  call->start = absl::Now();
  call->client = conn;
  call->client_stream = frame->hd.stream_id;
  conn->calls.insert(call);
  nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, call);
  return 0;
}

int ClientHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                 size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto* call =
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (!call) return 0;
  absl::string_view key(reinterpret_cast<const char*>(name), namelen);
  absl::string_view val(reinterpret_cast<const char*>(value), valuelen);
  if (key == ":path") {
    call->path = std::string(val);
  } else if (key == "authorization") {
    call->authorization = std::string(val);
  } else if (key == auth::kRequestIdHeader) {
    call->sent_request_id = std::string(val);
  } else if (ForwardedRequestKey(key)) {
    if (key == "grpc-timeout") call->timeout = std::string(val);
    call->forwarded.emplace_back(std::string(key), std::string(val));
  }
  return 0;
}

int ClientFrame(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  auto* call =
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (!call) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    BeginCall(static_cast<ClientConnection*>(user), call);
  }
  if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) ClientHalfClosed(call);
  return 0;
}

int ClientData(nghttp2_session* session, uint8_t, int32_t stream, const uint8_t* data, size_t len,
               void*) {
  nghttp2_session_consume_connection(session, len);
  auto* call = static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream));
  bool wanted = call && !call->status_decided && (call->backend || call->local_health);
  if (wanted) {
    if (uint64_t size = call->request_sizes.Feed({reinterpret_cast<const char*>(data), len})) {
      CancelAtBackend(call);
      Fail(call, kResourceExhausted,
           absl::StrCat("request message of ", size, " bytes is over the limit of ",
                        call->proxy.max_message_bytes()));
      wanted = false;
    }
  }
  if (wanted && call->local_health &&
      call->to_backend.bytes.size() + len > call->proxy.max_message_bytes() + size_t{5}) {
    // One HealthCheckRequest, answered at the half-close: more is not buffered for anyone.
    Fail(call, kResourceExhausted, "a health check takes one request message");
    wanted = false;
  }
  if (!wanted || call->local_health) {
    ConsumeStream(session, stream, len);  // dropped or kept here: the window is given back now
    if (wanted) call->to_backend.bytes.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  call->to_backend.bytes.append(reinterpret_cast<const char*>(data), len);
  nghttp2_session_resume_data(call->backend->session(), call->backend_stream);
  call->backend->MarkDirty();
  return 0;
}

void ClientGone(Call* call) {
  DropToBackend(call);
  DropToClient(call);
  call->client = nullptr;
  if (!call->status_decided) {
    call->client_cancelled = true;
    call->status_decided = true;
    call->code = kCancelled;
  }
  // Even when the backend has answered, its stream may still wait for the rest of the request.
  CancelAtBackend(call);
  Record(call);
  MaybeDelete(call);
}

int ClientStreamClosed(nghttp2_session* session, int32_t stream, uint32_t, void* user) {
  auto* call = static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream));
  if (!call) return 0;
  static_cast<ClientConnection*>(user)->calls.erase(call);
  ClientGone(call);
  return 0;
}

// ---- the backend side ---------------------------------------------------------------------

int BackendHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                  size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto* call =
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (!call || call->status_decided) return 0;
  // Response headers wait in `trailers` too until the frame is complete: one list per frame.
  call->trailers.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                              std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int BackendFrame(nghttp2_session* session, const nghttp2_frame* frame, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  auto* call =
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (!call || call->status_decided) return 0;
  bool end = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_RESPONSE) {
    Headers headers = std::move(call->trailers);
    call->trailers.clear();
    std::string* status = Find(headers, ":status");
    int http = 0;
    if (!status || !absl::SimpleAtoi(*status, &http) || http != 200) {
      CancelAtBackend(call);
      Fail(call, wire::CodeForHttpStatus(http),
           absl::StrCat("the backend answered HTTP ", status ? *status : "?"));
      return 0;
    }
    if (end) {
      // Trailers-only (a status without a message): the client still gets headers first, with
      // the request id, as for every call; the backend's metadata stays in the trailers.
      headers.erase(std::remove_if(headers.begin(), headers.end(),
                                   [](const Header& h) {
                                     return h.first.front() == ':' || h.first == "content-type";
                                   }),
                    headers.end());
      TakeBackendStatus(call, headers);
      call->trailers = std::move(headers);
      call->backend_answered = true;
      StartResponse(call, {});
      return 0;
    }
    StartResponse(call, std::move(headers));
    return 0;
  }
  if (!end) return 0;
  // The trailers (or, against the protocol, a DATA frame that ends the stream).
  TakeBackendStatus(call, call->trailers);
  call->backend_answered = true;
  ResumeToClient(call);
  return 0;
}

int BackendData(nghttp2_session* session, uint8_t, int32_t stream, const uint8_t* data, size_t len,
                void*) {
  nghttp2_session_consume_connection(session, len);
  auto* call = static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream));
  if (!call || call->status_decided || !call->client) {
    ConsumeStream(session, stream, len);
    return 0;
  }
  if (uint64_t size = call->response_sizes.Feed({reinterpret_cast<const char*>(data), len})) {
    ConsumeStream(session, stream, len);
    CancelAtBackend(call);
    Fail(call, kResourceExhausted,
         absl::StrCat("response message of ", size, " bytes is over the limit of ",
                      call->proxy.max_message_bytes()));
    return 0;
  }
  call->to_client.bytes.append(reinterpret_cast<const char*>(data), len);
  ResumeToClient(call);
  return 0;
}

void BackendGone(Call* call, uint32_t error) {
  DetachBackend(call);
  if (!call->status_decided) {
    // Reset before its status: the backend refused the stream or went away mid-call.
    Fail(call, kUnavailable,
         error == NGHTTP2_REFUSED_STREAM
             ? "the backend refused the call (it is going away); retry it"
             : absl::StrCat("the backend stopped while handling the call (",
                            nghttp2_http2_strerror(error), "); retry it"));
  }
  MaybeDelete(call);
}

int BackendStreamClosed(nghttp2_session* session, int32_t stream, uint32_t error, void* user) {
  auto* call = static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream));
  if (!call) return 0;
  static_cast<BackendConnection*>(user)->calls.erase(call);
  BackendGone(call, error);
  return 0;
}

int BackendGoaway(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<BackendConnection*>(user)->retired = true;
  return 0;
}

int BackendFrameAll(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  BackendGoaway(session, frame, user);
  return BackendFrame(session, frame, user);
}

int SessionError(nghttp2_session*, int, const char* message, size_t len, void* user) {
  static_cast<H2Connection*>(user)->set_error(std::string(message, len));
  return 0;
}

nghttp2_session_callbacks* Callbacks(bool client_side) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_error_callback2(cb, SessionError);
  if (client_side) {
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, ClientBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, ClientHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ClientFrame);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ClientData);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, ClientStreamClosed);
  } else {
    nghttp2_session_callbacks_set_on_header_callback(cb, BackendHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, BackendFrameAll);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, BackendData);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, BackendStreamClosed);
  }
  return cb;
}

absl::Status NewSession(H2Connection* conn, nghttp2_session** session, bool server) {
  static nghttp2_session_callbacks* const client_side = Callbacks(true);
  static nghttp2_session_callbacks* const backend_side = Callbacks(false);
  nghttp2_option* option = NewProxySessionOptions();
  int rc = server ? nghttp2_session_server_new2(session, client_side, conn, option)
                  : nghttp2_session_client_new2(session, backend_side, conn, option);
  nghttp2_option_del(option);
  if (rc != 0) return absl::InternalError(nghttp2_strerror(rc));
  SubmitProxySettings(*session, server);
  return conn->Start();
}

}  // namespace

absl::Status ClientConnection::Open() {
  // A connection lives about 5 minutes, so that clients behind a Service re-resolve and spread
  // over the gateway's replicas (what GRPC_ARG_MAX_CONNECTION_AGE_MS did); the jitter keeps
  // the connections of one burst from ending together.
  if (auto s = NewSession(this, &session_, /*server=*/true); !s.ok()) return s;
  thread_local std::mt19937 jitter(std::random_device{}());
  absl::Duration age = absl::Seconds(std::uniform_int_distribution<int>(270, 330)(jitter));
  age_timer_ = loop_.At(absl::Now() + age, [this] { Age(); });
  return absl::OkStatus();
}

void ClientConnection::Age() {
  GoAway();
  // 30 s of grace for the calls in flight (GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS), then the
  // rest are ended as the connection closes.
  age_timer_ = loop_.At(absl::Now() + absl::Seconds(30), [this] {
    age_timer_ = loop_.NoTimer();
    Close("maximum connection age");
  });
}

void ClientConnection::GoAway() {
  if (going_away_ || closed()) return;
  going_away_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  MarkDirty();
}

void ClientConnection::OnLost(absl::string_view) {
  if (age_timer_ != loop_.NoTimer()) loop_.Cancel(age_timer_);
  age_timer_ = loop_.NoTimer();
  auto calls = std::move(this->calls);
  for (Call* call : calls) ClientGone(call);
}

absl::Status BackendConnection::Open() { return NewSession(this, &session_, /*server=*/false); }

void BackendConnection::OnLost(absl::string_view why) {
  // The replica may have moved (a pod restarted with a new address): look again.
  worker_.proxy().addresses().Refresh();
  auto calls = std::move(this->calls);
  if (!calls.empty()) {
    log::Warn("backend connection lost", {{"backend", backend_->name}, {"why", std::string(why)}});
  }
  for (Call* call : calls) {
    DetachBackend(call);
    if (!call->status_decided) {
      Fail(call, kUnavailable,
           absl::StrCat("backend ", backend_->name, " is unreachable (", why, "); retry it"));
    }
    MaybeDelete(call);
  }
}

// ---- the worker ----------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Worker>> Worker::Start(Proxy& proxy, int listen_fd, SSL_CTX* tls) {
  std::unique_ptr<Worker> w(new Worker(proxy, listen_fd, tls));
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  w->loop_ = std::move(*loop);
  w->loop_->SetEndOfTurn([p = w.get()] { p->EndOfTurn(); });
  if (auto s = w->loop_->Watch(listen_fd, EPOLLIN, w.get()); !s.ok()) return s;
  w->thread_ = std::thread([p = w.get()] { p->loop_->Run(); });
  return w;
}

Worker::Worker(Proxy& proxy, int listen_fd, SSL_CTX* tls)
    : proxy_(proxy), listen_fd_(listen_fd), tls_(tls) {}

Worker::~Worker() {
  Stop();
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

void Worker::OnEvents(uint32_t) { Accept(); }

void Worker::Accept() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener would fire again at once. Pause it for a moment
        // (connections wait in the backlog) instead of spinning.
        log::Warn("accept paused", {{"why", std::strerror(errno)}});
        loop_->Unwatch(listen_fd_);
        loop_->At(absl::Now() + absl::Milliseconds(100), [this] {
          if (listen_fd_ >= 0) (void)loop_->Watch(listen_fd_, EPOLLIN, this);
        });
      }
      return;  // EAGAIN, or a connection that was reset before it was taken
    }
    TuneSocket(fd);
    SSL* ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(tls_);
      if (!ssl) {
        close(fd);
        continue;
      }
      SSL_set_fd(ssl, fd);
      SSL_set_accept_state(ssl);
    }
    auto conn = std::make_unique<ClientConnection>(*this, fd, ssl);
    conn->set_peer_address(PeerName(addr));
    if (!conn->Open().ok()) continue;
    H2Connection* raw = conn.get();
    connections_[raw] = std::move(conn);
    MarkDirty(raw);  // the server's SETTINGS
  }
}

void Worker::MarkDirty(H2Connection* connection) { dirty_.insert(connection); }

void Worker::Closed(H2Connection* connection) {
  dirty_.erase(connection);
  for (auto it = backends_.begin(); it != backends_.end(); ++it) {
    if (it->second == connection) {
      backends_.erase(it);
      break;
    }
  }
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  loop_->Retire(std::move(it->second));
  connections_.erase(it);
}

void Worker::EndOfTurn() {
  // Flushing one connection can make another dirty (window updates for the bytes it passed
  // on); a few rounds settle it, and anything left waits for the next turn.
  for (int round = 0; round < 4 && !dirty_.empty(); ++round) {
    std::vector<H2Connection*> now(dirty_.begin(), dirty_.end());
    dirty_.clear();
    for (H2Connection* c : now) {
      if (connections_.contains(c)) c->Flush();
    }
  }
  if (!dirty_.empty()) loop_->Post([] {});  // come round again without waiting for input
}

BackendConnection* Worker::ConnectionTo(Backend* backend, std::string* why) {
  auto it = backends_.find(backend);
  if (it != backends_.end()) {
    BackendConnection* c = it->second;
    if (!c->retired && nghttp2_session_check_request_allowed(c->session())) return c;
    backends_.erase(it);  // it finishes the calls it has; new ones get a new connection
  }
  // Resolved off this thread (BackendAddresses): opening a connection never waits on DNS.
  absl::StatusOr<SocketAddress> to = proxy_.addresses().Pick(backend->address);
  if (!to.ok()) {
    *why = absl::StrCat("backend ", backend->name, ": ", to.status().message());
    return nullptr;
  }
  int fd = socket(to->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int connected =
      fd < 0 ? -1 : connect(fd, reinterpret_cast<const sockaddr*>(&to->storage), to->length);
  int error = errno;
  if (fd < 0 || (connected != 0 && error != EINPROGRESS)) {
    if (fd >= 0) close(fd);
    proxy_.addresses().Refresh();
    *why = absl::StrCat("backend ", backend->name, " at ", backend->address,
                        " is unreachable: ", std::strerror(error));
    return nullptr;
  }
  TuneSocket(fd);
  auto conn = std::make_unique<BackendConnection>(*this, backend, fd);
  if (auto s = conn->Open(); !s.ok()) {
    *why = std::string(s.message());
    return nullptr;
  }
  BackendConnection* raw = conn.get();
  connections_[raw] = std::move(conn);
  backends_[backend] = raw;
  return raw;
}

void Worker::BeginDrain() {
  loop_->Post([this] {
    if (draining_) return;
    draining_ = true;
    loop_->Unwatch(listen_fd_);
    close(listen_fd_);
    listen_fd_ = -1;
    for (auto& [raw, conn] : connections_) {
      if (auto* client = dynamic_cast<ClientConnection*>(raw)) client->GoAway();
    }
  });
}

void Worker::Stop() {
  if (!thread_.joinable()) return;
  loop_->Post([this] {
    // Calls still open: UNAVAILABLE to their clients (safe to retry elsewhere), cancelled at
    // their backends; then every connection is flushed and closed.
    for (auto& [raw, conn] : connections_) {
      auto* client = dynamic_cast<ClientConnection*>(raw);
      if (!client) continue;
      for (Call* call : client->calls) {
        CancelAtBackend(call);
        Fail(call, kUnavailable, "the gateway is shutting down; retry the call");
      }
    }
    EndOfTurn();
    std::vector<H2Connection*> all;
    for (auto& [raw, conn] : connections_) all.push_back(raw);
    for (H2Connection* c : all) c->Close("the gateway is shutting down");
  });
  loop_->Stop();
  thread_.join();
}

}  // namespace zhigai::gateway
