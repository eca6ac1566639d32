// zhigai-review: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/refdata.h"
#include "libs/core/status_macros.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/review/admission.h"
#include "services/review/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Review();
}

namespace zhigai::review {
namespace {

// The review service's objects, in the order they are built (destroyed in reverse). Admissions
// reach the registry through the outbox (DESIGN.md flows): a dispatcher and the admission
// promoter run on a small pool of their own.
class ReviewProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    ASSIGN_OR_RETURN(auto catalogs, core::LoadCatalogs(host.data_dir));
    auto p = std::unique_ptr<ReviewProcess>(new ReviewProcess());
    std::string rules_path = host.config.Get("application_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/application-rules.tsv");
    auto rules = LoadApplicationRules(rules_path);
    if (!rules.ok()) return rules.status();
    p->application_rules_ = std::move(*rules);
    p->ref_ = std::make_unique<ReferenceData>(
        ReferenceData{std::move(catalogs.industries), std::move(catalogs.divisions)});
    auto clock = host.now();
    p->store_ = std::make_unique<ReviewStore>(host.pool, clock);
    p->delivery_pool_ = std::make_unique<db::Pool>(db::PoolOptions{host.config.Get("db"), 2});
    outbox::DispatcherOptions options;
    options.service = "review";
    options.internal_proof = host.internal_proof;
    options.peers[kRegistryTarget] = host.config.Get("registry_addr");
    p->dispatcher_ =
        std::make_unique<outbox::Dispatcher>(*p->delivery_pool_, options, &host.metrics);
    p->dispatcher_->Start();
    outbox::Dispatcher* wake = p->dispatcher_.get();
    p->delivery_store_ = std::make_unique<ReviewStore>(*p->delivery_pool_, clock);
    p->promoter_ =
        std::make_unique<AdmissionPromoter>(*p->delivery_store_, [wake] { wake->Notify(); });
    p->promoter_->Start();
    // Barred or cancelled applicants may not apply (R14.4, R14.5): the registry says who is.
    peers::RegistryEligibilityOptions eligible;
    eligible.service = "review";
    eligible.address = host.config.Get("registry_addr");
    eligible.internal_proof = host.internal_proof;
    p->eligibility_ = std::make_unique<peers::RegistryEligibility>(eligible);
    p->handlers_ = std::make_unique<ReviewHandlers>(*p->store_, *p->ref_, p->application_rules_,
                                                    *p->eligibility_, host.internal_proof, clock,
                                                    [wake] { wake->Notify(); });
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

  void Stop() override {
    promoter_->Stop();
    dispatcher_->Stop();
  }

 private:
  ReviewProcess() = default;
  std::unique_ptr<ReferenceData> ref_;
  std::vector<ApplicationRules> application_rules_;
  std::unique_ptr<ReviewStore> store_;
  std::unique_ptr<db::Pool> delivery_pool_;
  std::unique_ptr<outbox::Dispatcher> dispatcher_;
  std::unique_ptr<ReviewStore> delivery_store_;
  std::unique_ptr<AdmissionPromoter> promoter_;
  std::unique_ptr<peers::RegistryEligibility> eligibility_;
  std::unique_ptr<ReviewHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::review

int main(int argc, char** argv) {
  using namespace zhigai;
  server::ServiceDefinition def;
  def.name = "review";
  def.default_port = 7102;
  def.migrations = &migrations::Review();
  def.extra_settings.push_back(
      {"application_rules_path",
       "every version of the R5 application rules (issue 26); empty = "
       "<data_dir>/application-rules.tsv. Read at start: a bad file stops the start",
       std::string("")});
  def.make_process = review::ReviewProcess::Make;
  return server::RunService(def, argc, argv);
}
