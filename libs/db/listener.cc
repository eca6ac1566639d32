#include "libs/db/listener.h"

#include <libpq-fe.h>
#include <sys/select.h>

#include <chrono>

#include "libs/db/connect.h"

namespace zhigai::db {

NotificationListener::NotificationListener(std::string conninfo, std::string channel,
                                           std::function<void(const std::string&)> on_payload,
                                           std::function<void(bool)> on_state)
    : conninfo_(std::move(conninfo)),
      channel_(std::move(channel)),
      on_payload_(std::move(on_payload)),
      on_state_(std::move(on_state)) {}

NotificationListener::~NotificationListener() { Stop(); }

void NotificationListener::Start() {
  if (!stop_.exchange(false)) return;
  thread_ = std::thread([this] { Loop(); });
}

void NotificationListener::Stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
}

void NotificationListener::Loop() {
  while (!stop_) {
    PGconn* conn = ConnectPostgres(conninfo_);
    bool ok = PQstatus(conn) == CONNECTION_OK;
    if (ok) {
      PQsetNoticeProcessor(
          conn, [](void*, const char*) {}, nullptr);
      // The channel name is fixed by the service (no user input): plain identifier.
      PGresult* r = PQexec(conn, ("LISTEN " + channel_).c_str());
      ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
    }
    if (ok) {
      connected_ = true;
      on_state_(true);
      int fd = PQsocket(conn);
      while (!stop_) {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        timeval tv{0, 200 * 1000};
        if (select(fd + 1, &set, nullptr, nullptr, &tv) < 0) break;
        if (!PQconsumeInput(conn)) break;
        while (PGnotify* n = PQnotifies(conn)) {
          on_payload_(n->extra ? n->extra : "");
          PQfreemem(n);
        }
        if (PQstatus(conn) != CONNECTION_OK) break;
      }
      connected_ = false;
      on_state_(false);
    }
    PQfinish(conn);
    for (int i = 0; i < 10 && !stop_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace zhigai::db
