// zhigai-evaluation: wiring only.
#include "absl/time/clock.h"
#include "libs/server/host.h"
#include "services/evaluation/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers, the store and the source clients live for the whole process.
  static std::unique_ptr<evaluation::EvaluationStore> store;
  static std::unique_ptr<evaluation::GrpcMetricSources> sources;
  server::ServiceDefinition def;
  def.name = "evaluation";
  def.default_port = 7106;
  def.migrations = &migrations::Evaluation();
  def.extra_settings = {{"pull_timeout_seconds",
                         "deadline of each call to a source service during a pull",
                         std::string("60")}};
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto timeout = host.config.GetInt("pull_timeout_seconds");
    if (!timeout.ok()) return timeout.status();
    sources = std::make_unique<evaluation::GrpcMetricSources>(
        evaluation::SourceAddresses{
            host.config.Get("registry_addr"), host.config.Get("tracking_addr"),
            host.config.Get("training_addr"), host.config.Get("feedback_addr")},
        host.internal_proof, absl::Seconds(*timeout));
    store = std::make_unique<evaluation::EvaluationStore>(host.pool, host.now());
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(
        std::make_unique<evaluation::EvaluationHandlers>(*store, *sources, host.internal_proof));
    return services;
  };
  return server::RunService(def, argc, argv);
}
