// The backend side of the frame proxy: a backend's response headers, bytes and trailers are
// passed on to the call's client; a backend stream or connection that ends early fails its calls
// as UNAVAILABLE, safe to retry.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/server/log.h"
#include "services/gateway/backend_addresses.h"
#include "services/gateway/forwarded_call.h"
#include "services/gateway/gateway.h"
#include "services/gateway/proxy.h"

namespace zhigai::gateway {
namespace {

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
    Fail(call, grpc::StatusCode::RESOURCE_EXHAUSTED,
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
    Fail(call, grpc::StatusCode::UNAVAILABLE,
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

}  // namespace

nghttp2_session_callbacks* BackendSideCallbacks() {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_error_callback2(cb, SessionError);
  nghttp2_session_callbacks_set_on_header_callback(cb, BackendHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, BackendFrameAll);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, BackendData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, BackendStreamClosed);
  return cb;
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
      Fail(call, grpc::StatusCode::UNAVAILABLE,
           absl::StrCat("backend ", backend_->name, " is unreachable (", why, "); retry it"));
    }
    MaybeDelete(call);
  }
}

}  // namespace zhigai::gateway
