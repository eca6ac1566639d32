#include "services/gateway/h2_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace zhigai::gateway {
namespace {

// Output is serialised until this much waits for the socket; beyond it the session keeps the
// rest, so a slow reader holds back its own streams and not the proxy's memory.
constexpr size_t kMaxPendingOutput = 256 << 10;
constexpr int32_t kStreamWindow = 4 << 20;
constexpr int32_t kConnectionWindow = 32 << 20;
constexpr absl::Duration kEstablishTimeout = absl::Seconds(10);
// Larger header lists are refused per stream (by a gRPC peer, which honours the setting), not
// met by nghttp2 as a compression error that would end every call on the connection.
constexpr uint32_t kMaxHeaderList = 16 << 10;

std::string SubjectOf(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return "";
  std::string out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    // The same form gRPC's x509_subject property gives: RFC 2253, most specific part first.
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    out.assign(data, len);
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

}  // namespace

void SubmitProxySettings(nghttp2_session* session, bool server) {
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, kMaxHeaderList},
      {server ? NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS : NGHTTP2_SETTINGS_ENABLE_PUSH,
       server ? 1000u : 0u},
  };
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 3);
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
}

nghttp2_option* NewProxySessionOptions() {
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);
  return option;
}

H2Connection::H2Connection(EventLoop& loop, ConnectionHost& host, int fd, SSL* ssl, bool connecting)
    : loop_(loop),
      host_(host),
      fd_(fd),
      ssl_(ssl),
      connecting_(connecting),
      handshaking_(ssl != nullptr),
      establish_timer_(loop.NoTimer()) {}

H2Connection::~H2Connection() {
  if (session_) nghttp2_session_del(session_);
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) close(fd_);
}

absl::Status H2Connection::Start() {
  watching_out_ = connecting_;
  if (auto s = loop_.Watch(fd_, EPOLLIN | (connecting_ ? uint32_t{EPOLLOUT} : 0u), this); !s.ok()) {
    return s;
  }
  if (connecting_ || handshaking_) {
    // A backend that does not answer the SYN, or a client that stalls its TLS handshake, is
    // given up on rather than holding calls or a socket for minutes.
    establish_timer_ = loop_.At(absl::Now() + kEstablishTimeout, [this] {
      establish_timer_ = loop_.NoTimer();
      Close(connecting_ ? "connect timed out" : "TLS handshake timed out");
    });
  }
  return absl::OkStatus();
}

void H2Connection::Established() {
  if (establish_timer_ == loop_.NoTimer()) return;
  loop_.Cancel(establish_timer_);
  establish_timer_ = loop_.NoTimer();
}

void H2Connection::UpdateInterest() {
  bool want_out = connecting_ || tls_wants_write_ || out_sent_ < out_.size();
  if (want_out == watching_out_ || closed_) return;
  watching_out_ = want_out;
  loop_.Rewatch(fd_, EPOLLIN | (want_out ? uint32_t{EPOLLOUT} : 0u), this);
}

void H2Connection::OnEvents(uint32_t events) {
  if (closed_) return;
  if (connecting_) {
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return Close(absl::StrCat("connect: ", std::strerror(error)));
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    connecting_ = false;
    if (!handshaking_) Established();
    MarkDirty();
    UpdateInterest();
    return;
  }
  if (handshaking_ && !Handshake()) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) || tls_wants_write_) ReadInput();
  if (!closed_ && (events & EPOLLOUT)) Flush();
}

bool H2Connection::Handshake() {
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    handshaking_ = false;
    tls_wants_write_ = false;
    Established();
    peer_subject_ = SubjectOf(ssl_);
    MarkDirty();
    UpdateInterest();
    return true;
  }
  int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    tls_wants_write_ = error == SSL_ERROR_WANT_WRITE;
    UpdateInterest();
    return false;
  }
  char reason[160];
  ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
  Close(absl::StrCat("TLS handshake: ", reason));
  return false;
}

void H2Connection::ReadInput() {
  char buffer[64 << 10];
  for (;;) {
    ssize_t n;
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_read(ssl_, buffer, sizeof(buffer));
      if (rc <= 0) {
        int error = SSL_get_error(ssl_, rc);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          // A read that must write first (a TLS key update): EPOLLOUT brings it back here.
          tls_wants_write_ = error == SSL_ERROR_WANT_WRITE;
          UpdateInterest();
          break;
        }
        return Close(error == SSL_ERROR_ZERO_RETURN ? "closed by the peer" : "TLS read failed");
      }
      n = rc;
      tls_wants_write_ = false;
    } else {
      n = read(fd_, buffer, sizeof(buffer));
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Close(absl::StrCat("read: ", std::strerror(errno)));
      if (n == 0) return Close("closed by the peer");
    }
    ssize_t used = nghttp2_session_mem_recv(session_, reinterpret_cast<uint8_t*>(buffer), n);
    if (used < 0) return Close(absl::StrCat("HTTP/2: ", nghttp2_strerror(static_cast<int>(used))));
    if (closed_) return;
  }
  MarkDirty();
}

void H2Connection::Flush() {
  if (closed_ || connecting_ || handshaking_) return;
  for (;;) {
    bool serialised = false;
    while (out_.size() - out_sent_ < kMaxPendingOutput) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return Close(absl::StrCat("HTTP/2: ", nghttp2_strerror(static_cast<int>(n))));
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), n);
      serialised = true;
    }
    WriteOutput();
    if (closed_) return;
    // The socket is full: EPOLLOUT calls Flush again. It took everything: serialise what the
    // session held back (kMaxPendingOutput), until it has nothing more to send.
    if (out_sent_ < out_.size() || !serialised || !nghttp2_session_want_write(session_)) break;
  }
  if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_) &&
      out_sent_ == out_.size()) {
    Close(error_.empty() ? "finished" : error_);
  }
}

void H2Connection::WriteOutput() {
  while (out_sent_ < out_.size()) {
    const char* data = out_.data() + out_sent_;
    size_t left = out_.size() - out_sent_;
    ssize_t n;
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(left, 1 << 30)));
      if (rc <= 0) {
        int error = SSL_get_error(ssl_, rc);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) break;
        return Close("TLS write failed");
      }
      n = rc;
    } else {
      n = send(fd_, data, left, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Close(absl::StrCat("write: ", std::strerror(errno)));
    }
    out_sent_ += n;
  }
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
  UpdateInterest();
}

void H2Connection::Close(absl::string_view why) {
  if (closed_) return;
  closed_ = true;
  Established();  // no timer left behind
  loop_.Unwatch(fd_);
  OnLost(why);
  host_.Closed(this);
}

}  // namespace zhigai::gateway
