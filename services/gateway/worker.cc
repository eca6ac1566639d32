#include "services/gateway/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/server/log.h"
#include "services/gateway/backend_addresses.h"
#include "services/gateway/forwarded_call.h"
#include "services/gateway/gateway.h"
#include "services/gateway/proxy.h"

namespace zhigai::gateway {
namespace {

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

}  // namespace

absl::StatusOr<std::unique_ptr<Worker>> Worker::Start(Proxy& proxy, int listen_fd, SSL_CTX* tls) {
  std::unique_ptr<Worker> w(new Worker(proxy, listen_fd, tls));
  ASSIGN_OR_RETURN(auto loop, EventLoop::Create());
  w->loop_ = std::move(loop);
  w->loop_->SetEndOfTurn([p = w.get()] { p->EndOfTurn(); });
  RETURN_IF_ERROR(w->loop_->Watch(listen_fd, EPOLLIN, w.get()));
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
    if (!c->retired && absl::Now() - c->opened < proxy_.backend_connection_age() &&
        nghttp2_session_check_request_allowed(c->session())) {
      return c;
    }
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
        Fail(call, grpc::StatusCode::UNAVAILABLE, "the gateway is shutting down; retry the call");
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
