// zhigai-evaluation: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/evaluation/domain/score_rules.h"
#include "services/evaluation/handlers.h"
#include "services/evaluation/public_change.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers, the store and the source clients live for the whole process.
  static std::unique_ptr<evaluation::EvaluationStore> store;
  static std::unique_ptr<evaluation::GrpcMetricSources> sources;
  static std::vector<evaluation::ScoreRules> rules;
  // Published rankings reach the registry's public feed through the outbox; the dispatcher has
  // a small pool of its own and stops before it (declared after it, destroyed first).
  static std::unique_ptr<db::Pool> delivery_pool;
  static std::unique_ptr<outbox::Dispatcher> dispatcher;
  server::ServiceDefinition def;
  def.name = "evaluation";
  def.default_port = 7106;
  def.migrations = &migrations::Evaluation();
  def.extra_settings = {
      {"pull_timeout_seconds", "deadline of each call to a source service during a pull",
       std::string("60")},
      {"score_rules_path",
       "every version of the score-sheet rules (issue 26); empty = "
       "<data_dir>/score-rules.tsv. Read at start: a bad file stops the start",
       std::string("")}};
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto timeout = host.config.GetInt("pull_timeout_seconds");
    if (!timeout.ok()) return timeout.status();
    std::string rules_path = host.config.Get("score_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/score-rules.tsv");
    auto loaded = evaluation::LoadScoreRules(rules_path);
    if (!loaded.ok()) return loaded.status();
    rules = std::move(*loaded);
    sources = std::make_unique<evaluation::GrpcMetricSources>(
        evaluation::SourceAddresses{
            host.config.Get("registry_addr"), host.config.Get("tracking_addr"),
            host.config.Get("training_addr"), host.config.Get("feedback_addr")},
        host.internal_proof, absl::Seconds(*timeout));
    store = std::make_unique<evaluation::EvaluationStore>(host.pool, host.now());
    delivery_pool = std::make_unique<db::Pool>(db::PoolOptions{host.config.Get("db"), 1});
    outbox::DispatcherOptions delivery;
    delivery.service = "evaluation";
    delivery.internal_proof = host.internal_proof;
    delivery.peers[evaluation::kRegistryTarget] = host.config.Get("registry_addr");
    dispatcher = std::make_unique<outbox::Dispatcher>(*delivery_pool, delivery, &host.metrics);
    dispatcher->Start();
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<evaluation::EvaluationHandlers>(*store, *sources, rules,
                                                                        host.internal_proof));
    return services;
  };
  def.stop_background = [] {
    if (dispatcher) dispatcher->Stop();
  };
  return server::RunService(def, argc, argv);
}
