// A tracking service and a real registry (for eligibility) on a fresh PostgreSQL database,
// both over real gRPC on port 0. Used by the integration tests and the push benchmark.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "libs/auth/principal.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "services/registry/handlers.h"
#include "services/tracking/handlers.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::tracking::testing {

inline constexpr char kProof[] = "test-proof";

auth::Principal City();
auth::Principal County(const std::string& division);
auth::Principal Inst(const std::string& code);
auth::Principal Ent(const std::string& code);
auth::Principal Platform();
auth::Principal Service();

// A valid unified social credit code (R0.1) for each `n`, different per `tag`: lets every
// test create its own institutions and enterprises.
std::string Code(int tag, int n);

class TrackingEnv {
 public:
  static std::unique_ptr<TrackingEnv> Start(int pool_size = 4);
  ~TrackingEnv();

  v1::TrackingService::Stub& tracking() { return *tracking_stub_; }
  registry::v1::RegistryService::Stub& registry() { return *registry_stub_; }
  static std::unique_ptr<grpc::ClientContext> As(const auth::Principal& p, int timeout_s = 30);
  // A second tracking server on the same store whose registry address is `registry_addr`.
  std::unique_ptr<v1::TrackingService::Stub> TrackingWithRegistryAt(const std::string& addr);
  int64_t Count(const std::string& table, const std::string& where = "true");
  db::testing::TestDatabase& database() { return *db_; }
  std::string registry_address() const { return registry_addr_; }

  // Registers the institution with the registry and admits it to the CITY directory of
  // `year` for CONSULTING. Returns false on any failure.
  bool AdmitInstitution(const std::string& code, int year);
  // Registers the institution only (no directory entry).
  bool RegisterOnly(const std::string& code);
  // Registers an enterprise in `division` through the tracking API (as the city bureau).
  bool CreateEnterprise(const std::string& code, const std::string& division);

 private:
  TrackingEnv() = default;
  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> registry_pool_, tracking_pool_;
  std::unique_ptr<registry::ReferenceData> registry_ref_;
  std::unique_ptr<registry::RegistryStore> registry_store_;
  std::unique_ptr<registry::RegistryHandlers> registry_handlers_;
  zhigai::server::ServerPtr registry_server_;
  std::string registry_addr_;
  std::unique_ptr<ReferenceData> ref_;
  std::unique_ptr<TrackingStore> store_;
  std::unique_ptr<RegistryEligibility> eligibility_;
  std::unique_ptr<TrackingHandlers> handlers_;
  zhigai::server::ServerPtr tracking_server_;
  std::unique_ptr<v1::TrackingService::Stub> tracking_stub_;
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_stub_;
  // Extra servers (TrackingWithRegistryAt).
  std::vector<std::unique_ptr<RegistryEligibility>> extra_eligibility_;
  std::vector<std::unique_ptr<TrackingHandlers>> extra_handlers_;
  std::vector<zhigai::server::ServerPtr> extra_servers_;
};

}  // namespace zhigai::tracking::testing
