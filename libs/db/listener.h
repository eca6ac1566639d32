// Listens to a PostgreSQL notification channel on a dedicated connection and hands every
// payload to a callback. Services use it to drop cached rows that another replica changed:
// writers call pg_notify inside their transaction, so the notice arrives right after commit.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace zhigai::db {

class NotificationListener {
 public:
  // `on_payload` gets each payload; `on_state(true)` runs once listening has begun and
  // `on_state(false)` when the connection is lost: notices may have been missed around both,
  // so the caller drops what it cached and serves from cache only while connected.
  NotificationListener(std::string conninfo, std::string channel,
                       std::function<void(const std::string&)> on_payload,
                       std::function<void(bool connected)> on_state);
  ~NotificationListener();
  void Start();
  void Stop();
  // True while the listening connection is up: caches may only serve hits while it is.
  bool connected() const { return connected_.load(); }

 private:
  void Loop();
  std::string conninfo_, channel_;
  std::function<void(const std::string&)> on_payload_;
  std::function<void(bool)> on_state_;
  std::atomic<bool> stop_{true}, connected_{false};
  std::thread thread_;
};

}  // namespace zhigai::db
