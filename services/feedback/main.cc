// zhigai-feedback: wiring only.
#include <grpcpp/grpcpp.h>

#include "absl/time/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/feedback/handlers.h"
#include "services/feedback/sanction_orders.h"
#include "services/feedback/tracking_directory.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Feedback();
}

namespace {

// The handlers plus the outbox dispatcher that delivers their sanction commands. The host
// destroys its services before its database pool, so owning the dispatcher here stops its
// thread while the pool still exists.
class FeedbackProcess final : public zhigai::feedback::FeedbackHandlers {
 public:
  FeedbackProcess(zhigai::feedback::HandlerDeps deps,
                  std::unique_ptr<zhigai::outbox::Dispatcher> dispatcher)
      : FeedbackHandlers(std::move(deps)), dispatcher_(std::move(dispatcher)) {
    dispatcher_->Start();
  }
  ~FeedbackProcess() override { dispatcher_->Stop(); }

 private:
  std::unique_ptr<zhigai::outbox::Dispatcher> dispatcher_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace zhigai;
  // Live for the whole process; the host owns the server and the services.
  static std::unique_ptr<feedback::FeedbackStore> store;
  static std::unique_ptr<feedback::TrackingEngagementDirectory> engagements;
  static std::unique_ptr<peers::GrpcRegistryReader> registry;
  server::ServiceDefinition def;
  def.name = "feedback";
  def.default_port = 7105;
  def.migrations = &migrations::Feedback();
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto clock = host.now();
    store = std::make_unique<feedback::FeedbackStore>(host.pool, clock);
    // Engagements belong to tracking: read them from it, never from a copy.
    engagements = std::make_unique<feedback::TrackingEngagementDirectory>(
        grpc::CreateChannel(host.config.Get("tracking_addr"), grpc::InsecureChannelCredentials()),
        host.internal_proof);

    registry = std::make_unique<peers::GrpcRegistryReader>(peers::RegistryReaderOptions{
        "feedback", host.config.Get("registry_addr"), host.internal_proof});

    outbox::DispatcherOptions options;
    options.service = "feedback";
    options.internal_proof = host.internal_proof;
    options.peers = {{feedback::kRegistryPeer, host.config.Get("registry_addr")}};
    auto dispatcher = std::make_unique<outbox::Dispatcher>(host.pool, options, &host.metrics);
    outbox::Dispatcher* wake = dispatcher.get();

    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<FeedbackProcess>(
        feedback::HandlerDeps{*store, *engagements, *registry, host.internal_proof, clock,
                              [wake] { wake->Notify(); }},
        std::move(dispatcher)));
    return services;
  };
  return server::RunService(def, argc, argv);
}
