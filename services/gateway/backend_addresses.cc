#include "services/gateway/backend_addresses.h"

#include <netdb.h>

#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"

namespace zhigai::gateway {

bool SplitHostPort(absl::string_view address, std::string* host, std::string* port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  host->assign(h.data(), h.size());
  port->assign(address.substr(colon + 1).data(), address.size() - colon - 1);
  return true;
}

BackendAddresses::BackendAddresses(const std::vector<std::string>& addresses,
                                   absl::Duration refresh)
    : refresh_(refresh) {
  for (const auto& address : addresses) entries_[address];
  ResolveAll();
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      wake_.wait_for(lock, absl::ToChronoMilliseconds(refresh_),
                     [this] { return stop_ || poked_; });
      if (stop_) break;
      poked_ = false;
      lock.unlock();
      ResolveAll();
      lock.lock();
      // Pokes within the next second wait for the next pass: a backend that is down makes every
      // call fail its connection, and DNS is not asked once per call.
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
    }
  });
}

BackendAddresses::~BackendAddresses() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackendAddresses::Resolve(const std::string& address, Entry& entry) {
  std::string host, port;
  if (!SplitHostPort(address, &host, &port)) {
    entry.error = absl::StrCat("\"", address, "\" has no port");
    entry.resolved.clear();
    return;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0 || !found) {
    // The last good answer is kept: a DNS hiccup must not take a healthy backend away.
    entry.error = absl::StrCat("cannot resolve ", address, ": ", gai_strerror(rc));
    return;
  }
  entry.resolved.clear();
  entry.error.clear();
  for (addrinfo* a = found; a; a = a->ai_next) {
    SocketAddress s;
    std::memcpy(&s.storage, a->ai_addr, a->ai_addrlen);
    s.length = a->ai_addrlen;
    entry.resolved.push_back(s);
  }
  freeaddrinfo(found);
}

void BackendAddresses::ResolveAll() {
  std::map<std::string, Entry> copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    copy = entries_;
  }
  for (auto& [address, entry] : copy)
    Resolve(address, entry);  // without the lock: getaddrinfo may be slow
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(copy);
}

absl::StatusOr<SocketAddress> BackendAddresses::Pick(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return absl::NotFoundError(absl::StrCat("no backend at ", address));
  const auto& resolved = it->second.resolved;
  if (resolved.empty()) {
    poked_ = true;
    wake_.notify_one();
    return absl::UnavailableError(it->second.error);
  }
  // A headless Service answers with every replica: each new connection takes one at random,
  // so workers, gateway replicas and reconnections spread over the backend's replicas.
  thread_local std::mt19937 pick(std::random_device{}());
  return resolved[std::uniform_int_distribution<size_t>(0, resolved.size() - 1)(pick)];
}

void BackendAddresses::Refresh() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  wake_.notify_one();
}

}  // namespace zhigai::gateway
