// A socket that speaks HTTP/2 through an nghttp2 session, in plain text or over TLS, on one
// EventLoop. Input is read until the socket is empty and fed to the session at once; output is
// serialised once per turn of the loop (Flush), so the frames of every call that became ready
// in that turn leave in one write.
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>

#include "absl/strings/string_view.h"
#include "services/gateway/event_loop.h"

typedef struct ssl_st SSL;

namespace zhigai::gateway {

class H2Connection;

// What owns connections: flushes the dirty ones at the end of a turn, retires the closed ones.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual void MarkDirty(H2Connection* connection) = 0;
  virtual void Closed(H2Connection* connection) = 0;
};

class H2Connection : public FdHandler {
 public:
  // Takes `fd` (non-blocking) and `ssl` (may be null: plain text). `connecting`: a client
  // socket whose connect() is still in progress.
  H2Connection(EventLoop& loop, ConnectionHost& host, int fd, SSL* ssl, bool connecting);
  ~H2Connection() override;
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // Registers with the loop; the subclass has created its session by then.
  absl::Status Start();
  nghttp2_session* session() const { return session_; }
  void OnEvents(uint32_t events) override;
  void Flush();
  void MarkDirty() { host_.MarkDirty(this); }
  // Ends the connection now: whatever it still carries is failed through OnLost.
  void Close(absl::string_view why);
  bool closed() const { return closed_; }
  // The verified client certificate's subject (RFC 2253), empty when none.
  const std::string& peer_subject() const { return peer_subject_; }
  const std::string& peer_address() const { return peer_address_; }
  void set_peer_address(std::string address) { peer_address_ = std::move(address); }
  // Why nghttp2 ended the session, when it did (reported when the connection closes).
  void set_error(std::string error) { error_ = std::move(error); }

 protected:
  // Called once, when the connection ends for any reason, before it is retired.
  virtual void OnLost(absl::string_view why) = 0;
  EventLoop& loop_;
  nghttp2_session* session_ = nullptr;

 private:
  void ReadInput();
  void WriteOutput();
  bool Handshake();
  void UpdateInterest();
  void Established();

  ConnectionHost& host_;
  int fd_;
  SSL* ssl_;
  bool connecting_;
  bool handshaking_;
  bool closed_ = false;
  bool watching_out_ = false;
  bool tls_wants_write_ = false;
  EventLoop::Timers::iterator establish_timer_;
  std::string error_;
  std::string out_;
  size_t out_sent_ = 0;
  std::string peer_subject_, peer_address_;
};

// The settings both ends of the proxy announce: windows large enough that a 20 MiB upload is
// not throttled by round trips, with flow control kept end to end (a slow reader slows its
// writer; the proxy never buffers more than a window per stream).
void SubmitProxySettings(nghttp2_session* session, bool server);
// Session options: window updates only for bytes the other side has taken.
nghttp2_option* NewProxySessionOptions();

}  // namespace zhigai::gateway
