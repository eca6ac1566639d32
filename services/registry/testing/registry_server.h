// A real registry for other services' integration tests: its own schema and role in the test
// database, its handlers over real gRPC on a port that stays the same across Stop/Start (so a
// peer's channel reconnects, as after a restart), and the few writes a test needs to set the
// scene (register, admit, sanction) made through its own API as the city bureau.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "libs/db/listener.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "services/registry/handlers.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::registry::testing {

class RegistryServer {
 public:
  // Aborts with a message when the registry cannot start (a broken test environment).
  // `clock`: the registry's business clock (the calling test's own, so "today" agrees).
  RegistryServer(
      db::testing::TestDatabase& db, std::string internal_proof,
      std::function<absl::Time()> clock = [] { return absl::Now(); });
  ~RegistryServer();

  void Start();  // again after Stop(): same port
  void Stop();   // as if the registry went down
  std::string address() const;
  v1::RegistryService::Stub& stub() { return *stub_; }

  // Registers `code` in `division` (ALREADY_EXISTS is fine). False, printed, on failure.
  bool Register(const std::string& code, const std::string& division = "330302");
  // Registers and admits `code` to the CITY directory of each year in [from, to] for
  // `direction`.
  bool Admit(const std::string& code, int from, int to, common::v1::Direction direction);
  // Imposes a sanction from `start` (YYYY-MM-DD); returns its name, "" on failure.
  std::string Sanction(const std::string& code, v1::SanctionKind kind, const std::string& start);
  bool Lift(const std::string& sanction_name);

 private:
  std::unique_ptr<grpc::ClientContext> AsCity() const;
  std::string proof_;
  std::function<absl::Time()> clock_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReferenceData> ref_;
  std::unique_ptr<RegistryStore> store_;
  std::string conninfo_;
  // The public feed's wake-ups, wired as main.cc wires them (a listener on the channel).
  std::unique_ptr<PublicChangeHub> feed_hub_;
  std::unique_ptr<db::NotificationListener> feed_listener_;
  std::unique_ptr<RegistryHandlers> handlers_;
  server::ServerPtr server_;
  int port_ = 0;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  int commands_ = 0;
};

}  // namespace zhigai::registry::testing
