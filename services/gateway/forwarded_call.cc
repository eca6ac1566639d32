#include "services/gateway/forwarded_call.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal.h"
#include "libs/server/grpc_status.h"
#include "libs/server/log.h"
#include "services/gateway/gateway.h"
#include "services/gateway/proxy.h"

namespace zhigai::gateway {

Call::Call(Proxy& proxy, EventLoop& loop, uint32_t limit)
    : proxy(proxy), loop(loop), request_sizes(limit), response_sizes(limit) {
  proxy.live_calls.fetch_add(1);
}

Call::~Call() { proxy.live_calls.fetch_sub(1); }

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

// Flow control is end to end per stream: a stream's window is given back as its bytes are
// passed on, so a slow reader slows only its own writer. The connection's window is given back
// as soon as bytes arrive (at the top of ClientData and BackendData): a connection to a backend
// is shared by every caller of that worker, and one caller that does not read must not stall
// the others by holding the connection's window.
void ConsumeStream(nghttp2_session* session, int32_t stream, size_t n) {
  if (session && n > 0) nghttp2_session_consume_stream(session, stream, n);
}

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

Headers StatusTrailers(grpc::StatusCode code, absl::string_view message,
                       absl::string_view details) {
  Headers out = {{"grpc-status", absl::StrCat(static_cast<int>(code))}};
  if (!message.empty()) out.push_back({"grpc-message", wire::PercentEncode(message)});
  if (!details.empty()) out.push_back({"grpc-status-details-bin", absl::Base64Escape(details)});
  return out;
}

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
void Fail(Call* call, grpc::StatusCode code, absl::string_view message, absl::string_view details) {
  if (call->status_decided) return;
  call->status_decided = true;
  call->code = static_cast<int>(code);
  if (!call->client) return;
  DropToClient(call);
  call->trailers = StatusTrailers(code, message, details);
  call->backend_answered = true;
  if (!call->response_started) return StartResponse(call, {});
  ResumeToClient(call);
}

void FailWithStatus(Call* call, const absl::Status& status) {
  grpc::Status g = server::ToGrpcStatus(status);
  Fail(call, g.error_code(), g.error_message(), g.error_details());
}

// A backend's final status, made the client's: the code is recorded, and a cancellation the
// client did not ask for (a backend that is draining) becomes UNAVAILABLE, safe to retry with
// the same request id.
void TakeBackendStatus(Call* call, Headers& trailers) {
  std::string* status = Find(trailers, "grpc-status");
  constexpr int kCancelled = grpc::StatusCode::CANCELLED, kInternal = grpc::StatusCode::INTERNAL,
                kUnavailable = grpc::StatusCode::UNAVAILABLE;
  int code = grpc::StatusCode::UNKNOWN;
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

// ---- sessions ------------------------------------------------------------------------------

int SessionError(nghttp2_session*, int, const char* message, size_t len, void* user) {
  static_cast<H2Connection*>(user)->set_error(std::string(message, len));
  return 0;
}

absl::Status NewSession(H2Connection* conn, nghttp2_session** session, bool server) {
  static nghttp2_session_callbacks* const client_side = ClientSideCallbacks();
  static nghttp2_session_callbacks* const backend_side = BackendSideCallbacks();
  nghttp2_option* option = NewProxySessionOptions();
  int rc = server ? nghttp2_session_server_new2(session, client_side, conn, option)
                  : nghttp2_session_client_new2(session, backend_side, conn, option);
  nghttp2_option_del(option);
  if (rc != 0) return absl::InternalError(nghttp2_strerror(rc));
  SubmitProxySettings(*session, server);
  return conn->Start();
}

}  // namespace zhigai::gateway
