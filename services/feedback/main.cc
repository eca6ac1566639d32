// zhigai-feedback: wiring only.
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/sanction_rules.h"
#include "libs/core/status_macros.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/feedback/handlers.h"
#include "services/feedback/sanction_orders.h"
#include "services/feedback/tracking_directory.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Feedback();
}

namespace zhigai::feedback {
namespace {

// The feedback service's objects, in the order they are built (destroyed in reverse): the
// handlers and the outbox dispatcher that delivers their sanction commands to the registry.
class FeedbackProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    auto p = std::unique_ptr<FeedbackProcess>(new FeedbackProcess());
    std::string rules_path = host.config.Get("sanction_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/sanction-rules.tsv");
    ASSIGN_OR_RETURN(auto rules, core::LoadSanctionRules(rules_path));
    p->sanction_rules_ = std::move(rules);
    auto clock = host.now();
    p->store_ = std::make_unique<FeedbackStore>(host.pool, clock);
    // Engagements belong to tracking: read them from it, never from a copy.
    p->engagements_ = std::make_unique<TrackingEngagementDirectory>(
        grpc::CreateChannel(host.config.Get("tracking_addr"), grpc::InsecureChannelCredentials()),
        host.internal_proof);
    p->registry_ = std::make_unique<peers::GrpcRegistryReader>(peers::RegistryReaderOptions{
        "feedback", host.config.Get("registry_addr"), host.internal_proof});
    outbox::DispatcherOptions options;
    options.service = "feedback";
    options.internal_proof = host.internal_proof;
    options.peers = {{kRegistryPeer, host.config.Get("registry_addr")}};
    p->dispatcher_ = std::make_unique<outbox::Dispatcher>(host.pool, options, &host.metrics);
    p->dispatcher_->Start();
    outbox::Dispatcher* wake = p->dispatcher_.get();
    p->handlers_ = std::make_unique<FeedbackHandlers>(
        HandlerDeps{*p->store_, *p->engagements_, *p->registry_, p->sanction_rules_,
                    host.internal_proof, clock, [wake] { wake->Notify(); }});
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

  // The dispatcher delivers through the host's pool.
  void Stop() override { dispatcher_->Stop(); }

 private:
  FeedbackProcess() = default;
  std::vector<core::SanctionRules> sanction_rules_;
  std::unique_ptr<FeedbackStore> store_;
  std::unique_ptr<TrackingEngagementDirectory> engagements_;
  std::unique_ptr<peers::GrpcRegistryReader> registry_;
  std::unique_ptr<outbox::Dispatcher> dispatcher_;
  std::unique_ptr<FeedbackHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::feedback

int main(int argc, char** argv) {
  using namespace zhigai;
  server::ServiceDefinition def;
  def.name = "feedback";
  def.default_port = 7105;
  def.migrations = &migrations::Feedback();
  def.extra_settings = {{"sanction_rules_path",
                         "every version of the R14.5 sanction rules (issue 26); empty = "
                         "<data_dir>/sanction-rules.tsv. Read at start: a bad file stops the start",
                         std::string("")}};
  def.make_process = feedback::FeedbackProcess::Make;
  return server::RunService(def, argc, argv);
}
