// The client side of the frame proxy: a call's headers are admitted and its stream to the
// backend opened (BeginCall); its request bytes, half-close and reset are passed on; health
// checks are answered here.
#include <arpa/inet.h>

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "libs/auth/principal.h"
#include "libs/core/status_macros.h"
#include "services/gateway/backend_metadata.h"
#include "services/gateway/forwarded_call.h"
#include "services/gateway/gateway.h"
#include "services/gateway/proxy.h"

namespace zhigai::gateway {
namespace {

// Request metadata a client may send on: its own keys, and of the transport's only those the
// backend needs to read the messages and to know the deadline.
// Only what the backends use travels on: gRPC's own transport keys. The principal, the proof
// and the request id are set by the gateway (BeginCall); any other client metadata stays here,
// so a client can neither reach a service with headers it never reads nor push a service past
// its own metadata limit (issue 27).
bool ForwardedRequestKey(absl::string_view key) {
  return key == "content-type" || key == "te" || key == "grpc-timeout" || key == "grpc-encoding" ||
         key == "grpc-accept-encoding";
}

// One documented limit for a request's metadata, every header counted alike (name and value;
// pseudo-headers excluded): 8 KiB, gRPC's own default, far above a bearer token (about 1 KiB)
// with a request id. Over it: RESOURCE_EXHAUSTED, which clients do not retry. A single header
// field above 64 KiB cannot be decoded by HTTP/2's HPACK in nghttp2 and ends the connection.
constexpr size_t kMaxRequestMetadataBytes = 8 << 10;

void AnswerHealth(Call* call) {
  grpc::health::v1::HealthCheckRequest request;
  absl::string_view body = call->to_backend.bytes;
  if (body.size() < 5 || body[0] != 0 ||
      !request.ParseFromArray(body.data() + 5, body.size() - 5)) {
    return Fail(call, grpc::StatusCode::INVALID_ARGUMENT, "unreadable HealthCheckRequest");
  }
  // One status for the whole process, under "" and under the services' readiness name, so
  // probes written for the backends work here too.
  if (!request.service().empty() && request.service() != "readiness") {
    return Fail(call, grpc::StatusCode::NOT_FOUND,
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
  call->trailers = StatusTrailers(grpc::StatusCode::OK, "", "");
  call->backend_answered = true;
  call->status_decided = true;
  call->code = static_cast<int>(grpc::StatusCode::OK);
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
  Fail(call, grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded at the gateway");
}

// The request's headers are complete: admit it, then open its stream to the backend.
void BeginCall(ClientConnection* conn, Call* call) {
  call->start = absl::Now();
  if (call->metadata_bytes > kMaxRequestMetadataBytes) {
    call->local_health = true;  // nothing goes to a backend; the body is read and dropped
    return Fail(
        call, grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("request metadata of ", call->metadata_bytes, " bytes is over the limit of ",
                     kMaxRequestMetadataBytes, " bytes (all headers together); nothing was done"));
  }
  if (call->path == kHealthCheck) {
    call->local_health = true;  // answered once the request message is in (ClientHalfClosed)
    return;
  }
  if (call->path == kHealthWatch) {
    call->local_health = true;
    return Fail(call, grpc::StatusCode::UNIMPLEMENTED,
                "the gateway answers grpc.health.v1.Health/Check only");
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
    if (!admission.ok()) {
      call->method = gw.methods().Find(call->path);  // for the metrics of refused calls
      return FailWithStatus(call, admission.status());
    }
    call->method = admission->method;
    call->role = std::string(auth::RoleName(admission->principal.role));
    backend = admission->method->backend;
    headers.push_back({auth::kPrincipalHeader, auth::EncodePrincipal(admission->principal)});
    headers.push_back({auth::kInternalProofHeader, gw.internal_proof()});
  }
  headers.push_back({auth::kRequestIdHeader, call->request_id});
  if (!call->timeout.empty()) {
    auto timeout = wire::ParseTimeout(call->timeout);
    if (!timeout) return Fail(call, grpc::StatusCode::INTERNAL, "malformed grpc-timeout");
    call->has_deadline = true;
    call->deadline =
        conn->worker().loop().At(call->start + *timeout, [call] { DeadlinePassed(call); });
  }
  std::string why;
  BackendConnection* to = conn->worker().ConnectionTo(backend, &why);
  if (!to) return Fail(call, grpc::StatusCode::UNAVAILABLE, why);
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
    return Fail(call, grpc::StatusCode::UNAVAILABLE,
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
  if (!absl::StartsWith(key, ":")) call->metadata_bytes += namelen + valuelen;
  if (call->metadata_bytes > kMaxRequestMetadataBytes) return 0;  // refused in BeginCall
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
      Fail(call, grpc::StatusCode::RESOURCE_EXHAUSTED,
           absl::StrCat("request message of ", size, " bytes is over the limit of ",
                        call->proxy.max_message_bytes()));
      wanted = false;
    }
  }
  if (wanted && call->local_health &&
      call->to_backend.bytes.size() + len > call->proxy.max_message_bytes() + size_t{5}) {
    // One HealthCheckRequest, answered at the half-close: more is not buffered for anyone.
    Fail(call, grpc::StatusCode::RESOURCE_EXHAUSTED, "a health check takes one request message");
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
    call->code = static_cast<int>(grpc::StatusCode::CANCELLED);
  }
  // Even when the backend has answered, its stream may still wait for the rest of the request.
  CancelAtBackend(call);
  Record(call);
  MaybeDelete(call);
}

int ClientStreamClosed(nghttp2_session* session, int32_t stream, uint32_t, void* user) {
  auto* call = static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream));
  if (!call) return 0;
  auto* conn = static_cast<ClientConnection*>(user);
  conn->calls.erase(call);
  ClientGone(call);
  conn->CallEnded();
  return 0;
}

}  // namespace

nghttp2_session_callbacks* ClientSideCallbacks() {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_error_callback2(cb, SessionError);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, ClientBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(cb, ClientHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ClientFrame);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ClientData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ClientStreamClosed);
  return cb;
}

absl::Status ClientConnection::Open() {
  // GatewayOptions::max_connection_age, ±10 %: the jitter keeps the connections of one burst
  // from ending together.
  RETURN_IF_ERROR(NewSession(this, &session_, /*server=*/true));
  thread_local std::mt19937 jitter(std::random_device{}());
  const absl::Duration age = worker().proxy().max_connection_age() *
                             std::uniform_real_distribution<double>(0.9, 1.1)(jitter);
  age_timer_ = loop_.At(absl::Now() + age, [this] { Age(); });
  return absl::OkStatus();
}

// After its GOAWAY an aged connection lets its calls finish and closes a few seconds
// (GatewayOptions::aged_idle_close) after the last one ended. A fixed 30 s grace cut off calls
// still running at its end: the client saw UNAVAILABLE "Broken pipe" (seen when the machine was
// loaded and calls slow; gRPC's own default grace is unlimited). The few seconds let the client
// read the GOAWAY before the socket goes, so a stream it opened meanwhile (above the GOAWAY's last
// stream, never processed) is retried on its new connection rather than reset with this one. The
// longest an aged connection waits for its calls: the gateway's longest HTTP deadline.
constexpr absl::Duration kAgedMaxGrace = absl::Minutes(10);

void ClientConnection::Age() {
  GoAway();
  aged_ = true;
  age_timer_ = loop_.At(absl::Now() + kAgedMaxGrace, [this] {
    age_timer_ = loop_.NoTimer();
    Close("maximum connection age");
  });
  CallEnded();
}

void ClientConnection::CallEnded() {
  if (!aged_ || !calls.empty() || closed()) return;
  if (age_timer_ != loop_.NoTimer()) loop_.Cancel(age_timer_);
  age_timer_ = loop_.At(absl::Now() + worker().proxy().aged_idle_close(), [this] {
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

}  // namespace zhigai::gateway
