// zhigai-review: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/review/admission.h"
#include "services/review/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Review();
}

namespace {

// The background delivery (outbox dispatcher, admission promoter) has its own small pool and
// store, which outlive the host's pool: at exit both threads stop before their pool goes away.
struct Delivery {
  std::unique_ptr<zhigai::db::Pool> pool;
  std::unique_ptr<zhigai::review::ReviewStore> store;
  std::unique_ptr<zhigai::outbox::Dispatcher> dispatcher;
  std::unique_ptr<zhigai::review::AdmissionPromoter> promoter;
  ~Delivery() {
    if (promoter) promoter->Stop();
    if (dispatcher) dispatcher->Stop();
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers and the store live for the whole process; the host owns the server.
  static std::unique_ptr<review::ReferenceData> ref;
  static std::unique_ptr<review::ReviewStore> store;
  static std::unique_ptr<peers::RegistryEligibility> eligibility;
  static Delivery delivery;
  server::ServiceDefinition def;
  def.name = "review";
  def.default_port = 7102;
  def.migrations = &migrations::Review();
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto industries = core::IndustryCatalog::Load(absl::StrCat(host.data_dir, "/industries.tsv"));
    if (!industries.ok()) return industries.status();
    auto divisions = core::DivisionCatalog::Load(absl::StrCat(host.data_dir, "/divisions.tsv"));
    if (!divisions.ok()) return divisions.status();
    ref = std::make_unique<review::ReferenceData>(
        review::ReferenceData{std::move(*industries), std::move(*divisions)});
    auto clock = host.now();
    store = std::make_unique<review::ReviewStore>(host.pool, clock);
    // Admissions reach the registry through the outbox (DESIGN.md flows).
    delivery.pool = std::make_unique<db::Pool>(db::PoolOptions{host.config.Get("db"), 2});
    outbox::DispatcherOptions options;
    options.service = "review";
    options.internal_proof = host.internal_proof;
    options.peers[review::kRegistryTarget] = host.config.Get("registry_addr");
    delivery.dispatcher =
        std::make_unique<outbox::Dispatcher>(*delivery.pool, options, &host.metrics);
    delivery.dispatcher->Start();
    delivery.store = std::make_unique<review::ReviewStore>(*delivery.pool, clock);
    delivery.promoter = std::make_unique<review::AdmissionPromoter>(
        *delivery.store, [] { delivery.dispatcher->Notify(); });
    delivery.promoter->Start();
    // Barred or cancelled applicants may not apply (R14.4, R14.5): the registry says who is.
    peers::RegistryEligibilityOptions eligible;
    eligible.service = "review";
    eligible.address = host.config.Get("registry_addr");
    eligible.internal_proof = host.internal_proof;
    eligibility = std::make_unique<peers::RegistryEligibility>(eligible);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(
        std::make_unique<review::ReviewHandlers>(*store, *ref, *eligibility, host.internal_proof,
                                                 clock, [] { delivery.dispatcher->Notify(); }));
    return services;
  };
  return server::RunService(def, argc, argv);
}
