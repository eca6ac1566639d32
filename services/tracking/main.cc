// zhigai-tracking: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/server/host.h"
#include "services/tracking/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Tracking();
}

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers, the store and the registry client live for the whole process.
  static std::unique_ptr<tracking::ReferenceData> ref;
  static std::unique_ptr<tracking::TrackingStore> store;
  static std::unique_ptr<peers::RegistryEligibility> eligibility;
  server::ServiceDefinition def;
  def.name = "tracking";
  def.default_port = 7103;
  def.migrations = &migrations::Tracking();
  def.extra_settings = {{"eligibility_cache_seconds",
                         "how long a registry eligibility answer is reused", std::string("30")}};
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto industries = core::IndustryCatalog::Load(absl::StrCat(host.data_dir, "/industries.tsv"));
    if (!industries.ok()) return industries.status();
    auto divisions = core::DivisionCatalog::Load(absl::StrCat(host.data_dir, "/divisions.tsv"));
    if (!divisions.ok()) return divisions.status();
    auto ttl = host.config.GetInt("eligibility_cache_seconds");
    if (!ttl.ok()) return ttl.status();
    ref = std::make_unique<tracking::ReferenceData>(
        tracking::ReferenceData{std::move(*industries), std::move(*divisions)});
    peers::RegistryEligibilityOptions options;
    options.service = "tracking";
    options.address = host.config.Get("registry_addr");
    options.internal_proof = host.internal_proof;
    options.cache_ttl = absl::Seconds(*ttl);
    eligibility = std::make_unique<peers::RegistryEligibility>(std::move(options));
    auto clock = host.now();
    store = std::make_unique<tracking::TrackingStore>(host.pool, clock);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<tracking::TrackingHandlers>(*store, *ref, *eligibility,
                                                                    host.internal_proof, clock));
    return services;
  };
  return server::RunService(def, argc, argv);
}
