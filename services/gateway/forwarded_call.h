// One call forwarded by the frame proxy (a client stream paired with a backend stream), the
// connections that carry calls, and what both sides of a call share: ending it, its status, and
// the data providers that pass its bytes on. The client side's session callbacks are in
// client_side.cc, the backend side's in backend_side.cc, the worker that owns it all in worker.cc.
#pragma once

#include <grpcpp/support/status_code_enum.h>
#include <nghttp2/nghttp2.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/gateway/event_loop.h"
#include "services/gateway/grpc_wire.h"
#include "services/gateway/h2_connection.h"
#include "services/gateway/worker.h"

namespace zhigai::gateway {

class Proxy;
struct MethodInfo;
class ClientConnection;
class BackendConnection;

inline constexpr absl::string_view kHealthCheck = "/grpc.health.v1.Health/Check";
inline constexpr absl::string_view kHealthWatch = "/grpc.health.v1.Health/Watch";
inline constexpr absl::string_view kReflection = "/grpc.reflection.";

using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

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
  Call(Proxy& proxy, EventLoop& loop, uint32_t limit);  // counted in Proxy::live_calls
  ~Call();

  Proxy& proxy;
  EventLoop& loop;
  ClientConnection* client = nullptr;
  int32_t client_stream = 0;
  BackendConnection* backend = nullptr;
  int32_t backend_stream = 0;

  // The request as the client sent it.
  std::string path, authorization, sent_request_id, timeout;
  // Bytes of the request's metadata (names and values, pseudo-headers excluded): one limit for
  // all of it together (kMaxRequestMetadataBytes, client_side.cc).
  size_t metadata_bytes = 0;
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
  int code = static_cast<int>(grpc::StatusCode::UNKNOWN);  // as it travels in grpc-status

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
  const absl::Time opened = absl::Now();
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
  // One of its calls ended: an aged connection closes once none is left.
  void CallEnded();

 protected:
  void OnLost(absl::string_view why) override;

 private:
  void Age();
  Worker& worker_;
  EventLoop::Timers::iterator age_timer_;
  bool going_away_ = false;
  bool aged_ = false;
};

std::vector<nghttp2_nv> NameValues(const Headers& headers);
// The value of `name` in `headers`, null when absent.
std::string* Find(Headers& headers, absl::string_view name);
void ConsumeStream(nghttp2_session* session, int32_t stream, size_t n);

// Ending a call, from either side.
void MaybeDelete(Call* call);
void Record(Call* call);
void CancelAtBackend(Call* call);
void DropToClient(Call* call);
void DropToBackend(Call* call);
void DetachBackend(Call* call);
Headers StatusTrailers(grpc::StatusCode code, absl::string_view message, absl::string_view details);
void StartResponse(Call* call, Headers headers);
void ResumeToClient(Call* call);
void Fail(Call* call, grpc::StatusCode code, absl::string_view message,
          absl::string_view details = "");
void FailWithStatus(Call* call, const absl::Status& status);
void TakeBackendStatus(Call* call, Headers& trailers);

// The data providers: a call's bytes, passed on to each side.
ssize_t ReadToClient(nghttp2_session* session, int32_t stream, uint8_t* buf, size_t length,
                     uint32_t* flags, nghttp2_data_source* source, void*);
ssize_t ReadToBackend(nghttp2_session* session, int32_t stream, uint8_t* buf, size_t length,
                      uint32_t* flags, nghttp2_data_source* source, void*);

// Each side's session callbacks, and the session of a new connection. SessionError keeps
// nghttp2's reason for ending a session, for the log line of the close.
int SessionError(nghttp2_session*, int, const char* message, size_t len, void* user);
nghttp2_session_callbacks* ClientSideCallbacks();
nghttp2_session_callbacks* BackendSideCallbacks();
absl::Status NewSession(H2Connection* conn, nghttp2_session** session, bool server);

}  // namespace zhigai::gateway
