#include "services/gateway/proxy.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "services/gateway/backend_addresses.h"
#include "services/gateway/gateway.h"
#include "services/gateway/tls_context.h"
#include "services/gateway/worker.h"

namespace zhigai::gateway {
namespace {

// Binds `listen` ("host:port", port 0 for any) with SO_REUSEPORT, so each worker listens on the
// same port with its own socket and the kernel spreads the connections.
absl::StatusOr<int> Listen(const std::string& listen, int port) {
  std::string host, service;
  if (!SplitHostPort(listen, &host, &service)) {
    return absl::InvalidArgumentError(absl::StrCat("--listen \"", listen, "\" has no port"));
  }
  if (port > 0) service = absl::StrCat(port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot listen on ", listen, ": ", gai_strerror(rc)));
  }
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0 &&
            bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0;
  int error = errno;
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, ": ", std::strerror(error)));
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

Proxy::Proxy(Gateway& gateway) : gateway_(gateway) {}

absl::StatusOr<std::unique_ptr<Proxy>> Proxy::Start(Gateway& gateway, const GatewayOptions& options,
                                                    int* port) {
  std::unique_ptr<Proxy> proxy(new Proxy(gateway));
  proxy->max_message_bytes_ = options.max_message_bytes;
  proxy->max_connection_age_ = options.max_connection_age;
  proxy->aged_idle_close_ = options.aged_idle_close;
  proxy->backend_connection_age_ = options.backend_connection_age;
  SSL_CTX* tls_ctx = nullptr;
  if (options.tls) {
    ASSIGN_OR_RETURN(auto ctx, NewServerTlsContext(*options.tls));
    proxy->tls_ = std::move(ctx);
    tls_ctx = proxy->tls_.get();
  }

  // Server reflection, in-process on loopback, reached through the proxy like any backend.
  grpc::EnableDefaultHealthCheckService(false);  // the workers answer health themselves
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int local_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &local_port);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 1);
  proxy->local_server_ = builder.BuildAndStart();
  if (!proxy->local_server_ || local_port == 0) {
    return absl::UnavailableError("cannot start the gateway's reflection service");
  }
  proxy->local_backend_ = std::make_unique<Backend>();
  proxy->local_backend_->name = "gateway";
  proxy->local_backend_->address = absl::StrCat("127.0.0.1:", local_port);

  std::vector<std::string> addresses = {proxy->local_backend_->address};
  for (const auto& [package, backend] : gateway.methods().backends()) {
    addresses.push_back(backend->address);
  }
  proxy->addresses_ = std::make_unique<BackendAddresses>(addresses);

  *port = 0;
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    ASSIGN_OR_RETURN(auto fd, Listen(options.listen, *port));
    if (*port == 0) *port = BoundPort(fd);
    auto worker = Worker::Start(*proxy, fd, tls_ctx);  // owns the socket, even on failure
    if (!worker.ok()) return worker.status();
    proxy->workers_.push_back(std::move(*worker));
  }
  return proxy;
}

void Proxy::Shutdown(absl::Duration drain) {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) w->BeginDrain();
  absl::Time give_up = absl::Now() + drain;
  while (live_calls.load() > 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  for (auto& w : workers_) w->Stop();
  workers_.clear();
  if (local_server_) local_server_->Shutdown(std::chrono::system_clock::now());
  addresses_.reset();
}

Proxy::~Proxy() { Shutdown(absl::ZeroDuration()); }

}  // namespace zhigai::gateway
