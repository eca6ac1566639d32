// zhigai-evaluation: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "services/evaluation/domain/score_rules.h"
#include "services/evaluation/handlers.h"
#include "services/evaluation/public_change.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

namespace zhigai::evaluation {
namespace {

// The evaluation service's objects, in the order they are built (destroyed in reverse).
// Published rankings reach the registry's public feed through the outbox; its dispatcher has a
// small pool of its own.
class EvaluationProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    ASSIGN_OR_RETURN(auto timeout, host.config.GetInt("pull_timeout_seconds"));
    auto p = std::unique_ptr<EvaluationProcess>(new EvaluationProcess());
    std::string rules_path = host.config.Get("score_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/score-rules.tsv");
    auto rules = LoadScoreRules(rules_path);
    if (!rules.ok()) return rules.status();
    p->rules_ = std::move(*rules);
    p->sources_ = std::make_unique<GrpcMetricSources>(
        SourceAddresses{host.config.Get("registry_addr"), host.config.Get("tracking_addr"),
                        host.config.Get("training_addr"), host.config.Get("feedback_addr")},
        host.internal_proof, absl::Seconds(timeout));
    p->store_ = std::make_unique<EvaluationStore>(host.pool, host.now());
    p->delivery_pool_ = std::make_unique<db::Pool>(db::PoolOptions{host.config.Get("db"), 1});
    outbox::DispatcherOptions delivery;
    delivery.service = "evaluation";
    delivery.internal_proof = host.internal_proof;
    delivery.peers[kRegistryTarget] = host.config.Get("registry_addr");
    p->dispatcher_ =
        std::make_unique<outbox::Dispatcher>(*p->delivery_pool_, delivery, &host.metrics);
    p->dispatcher_->Start();
    p->handlers_ = std::make_unique<EvaluationHandlers>(*p->store_, *p->sources_, p->rules_,
                                                        host.internal_proof);
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

  void Stop() override { dispatcher_->Stop(); }

 private:
  EvaluationProcess() = default;
  std::vector<ScoreRules> rules_;
  std::unique_ptr<GrpcMetricSources> sources_;
  std::unique_ptr<EvaluationStore> store_;
  std::unique_ptr<db::Pool> delivery_pool_;
  std::unique_ptr<outbox::Dispatcher> dispatcher_;
  std::unique_ptr<EvaluationHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::evaluation

int main(int argc, char** argv) {
  using namespace zhigai;
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
  def.make_process = evaluation::EvaluationProcess::Make;
  return server::RunService(def, argc, argv);
}
