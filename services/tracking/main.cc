// zhigai-tracking: wiring only.
#include "absl/time/clock.h"
#include "libs/core/refdata.h"
#include "libs/core/status_macros.h"
#include "libs/server/host.h"
#include "services/tracking/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Tracking();
}

namespace zhigai::tracking {
namespace {

// The tracking service's objects, in the order they are built (destroyed in reverse).
class TrackingProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    ASSIGN_OR_RETURN(auto catalogs, core::LoadCatalogs(host.data_dir));
    auto ttl = host.config.GetInt("eligibility_cache_seconds");
    if (!ttl.ok()) return ttl.status();
    auto p = std::unique_ptr<TrackingProcess>(new TrackingProcess());
    p->ref_ = std::make_unique<ReferenceData>(
        ReferenceData{std::move(catalogs.industries), std::move(catalogs.divisions)});
    peers::RegistryEligibilityOptions options;
    options.service = "tracking";
    options.address = host.config.Get("registry_addr");
    options.internal_proof = host.internal_proof;
    options.cache_ttl = absl::Seconds(*ttl);
    p->eligibility_ = std::make_unique<peers::RegistryEligibility>(std::move(options));
    auto clock = host.now();
    p->store_ = std::make_unique<TrackingStore>(host.pool, clock);
    p->handlers_ = std::make_unique<TrackingHandlers>(*p->store_, *p->ref_, *p->eligibility_,
                                                      host.internal_proof, clock);
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

 private:
  TrackingProcess() = default;
  std::unique_ptr<ReferenceData> ref_;
  std::unique_ptr<peers::RegistryEligibility> eligibility_;
  std::unique_ptr<TrackingStore> store_;
  std::unique_ptr<TrackingHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::tracking

int main(int argc, char** argv) {
  using namespace zhigai;
  server::ServiceDefinition def;
  def.name = "tracking";
  def.default_port = 7103;
  def.migrations = &migrations::Tracking();
  def.extra_settings = {{"eligibility_cache_seconds",
                         "how long a registry eligibility answer is reused", std::string("30")}};
  def.make_process = tracking::TrackingProcess::Make;
  return server::RunService(def, argc, argv);
}
