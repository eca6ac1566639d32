// A feedback service on real PostgreSQL and real in-process gRPC for tests and the outbox
// benchmark, with a fake engagement directory (tracking is another team's process), a clock the
// test can set, and optionally a real registry in the same test database (its own schema) that
// can be taken down and brought back on the same port. No gtest here, so benchmarks link it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/outbox/outbox.h"
#include "libs/peers/registry_reader.h"
#include "libs/server/host.h"
#include "services/feedback/engagement_directory.h"
#include "services/feedback/handlers.h"
#include "services/feedback/store.h"
#include "services/registry/testing/registry_server.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"

namespace zhigai::feedback::testing {

inline constexpr char kProof[] = "test-proof";

// A valid credit code (R0.1) numbered n within a family `tag` of four code characters.
std::string Code(const char* tag, int n);

auth::Principal City();
auth::Principal County(const std::string& division);
auth::Principal Enterprise(const std::string& code);
auth::Principal Institution(const std::string& code);
auth::Principal Service();

// Engagements as tracking would answer; Get of an unknown one is NOT_FOUND.
class FakeEngagements final : public EngagementDirectory {
 public:
  void Put(const std::string& name, EngagementFacts facts);
  absl::StatusOr<EngagementFacts> Get(const std::string& engagement) override;
  void SetDown(bool down);

 private:
  std::mutex mu_;
  bool down_ = false;
  std::map<std::string, EngagementFacts> facts_;
};

class Harness {
 public:
  // with_registry: also run a registry (schema "registry") and a dispatcher pointed at it.
  explicit Harness(bool with_registry);
  ~Harness();

  v1::FeedbackService::Stub& stub() { return *stub_; }
  FakeEngagements& engagements() { return engagements_; }
  db::testing::TestDatabase& database() { return *db_; }
  db::Pool& pool() { return *pool_; }
  outbox::Dispatcher& dispatcher() { return *dispatcher_; }

  // The service's clock: noon (Asia/Shanghai) of `day`, until ResetClock().
  void SetToday(absl::CivilDay day);

  // A context carrying what the gateway would send.
  static std::unique_ptr<grpc::ClientContext> As(const auth::Principal& p);

  // The registry: down (not listening) or up again on the same port.
  void StopRegistry();
  void StartRegistry();
  int registry_port() const { return registry_port_; }
  registry::testing::RegistryServer& registry() { return *registry_; }

  // Count of rows in `schema.table` matching `where`, through the admin connection.
  int64_t Count(const std::string& schema_table, const std::string& where = "true");
  // One text value of a query (admin connection); empty when no row.
  std::string Scalar(const std::string& sql);

 private:
  absl::Time Now();

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
  std::mutex clock_mu_;
  std::optional<absl::Time> fixed_now_;
  FakeEngagements engagements_;
  std::unique_ptr<FeedbackStore> store_;
  std::unique_ptr<outbox::Dispatcher> dispatcher_;
  std::unique_ptr<FeedbackHandlers> handlers_;
  zhigai::server::ServerPtr server_;
  std::unique_ptr<v1::FeedbackService::Stub> stub_;
  std::unique_ptr<registry::testing::RegistryServer> registry_;
  std::unique_ptr<peers::GrpcRegistryReader> reader_;
  int registry_port_ = 0;
};

}  // namespace zhigai::feedback::testing
