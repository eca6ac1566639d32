// zhigai-training: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/refdata.h"
#include "libs/core/status_macros.h"
#include "libs/server/host.h"
#include "services/training/calendar_metrics.h"
#include "services/training/domain/training_rules.h"
#include "services/training/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Training();
}

namespace zhigai::training {
namespace {

// The training service's objects, in the order they are built (destroyed in reverse).
class TrainingProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    ASSIGN_OR_RETURN(auto catalogs, core::LoadCatalogs(host.data_dir));
    auto p = std::unique_ptr<TrainingProcess>(new TrainingProcess());
    p->ref_ = std::make_unique<ReferenceData>(
        ReferenceData::From(std::move(catalogs.industries), std::move(catalogs.divisions)));
    std::string path = host.config.Get("calendar_path");
    if (path.empty()) path = absl::StrCat(host.data_dir, "/cn-workdays.tsv");
    auto check = host.config.GetInt("calendar_check_seconds");
    if (!check.ok()) return check.status();
    auto clock = host.now();
    // The calendar file is looked at on the wall clock: reloading is an operator's matter.
    auto opened = CalendarSource::Open(path, absl::Seconds(*check), [] { return absl::Now(); });
    if (!opened.ok()) return opened.status();
    p->calendar_ = std::move(*opened);
    host.collectables.push_back(CalendarMetrics(*p->calendar_, clock));
    std::string rules_path = host.config.Get("training_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/training-rules.tsv");
    auto rules = LoadTrainingRules(rules_path);
    if (!rules.ok()) return rules.status();
    p->rules_ = std::move(*rules);
    p->store_ = std::make_unique<TrainingStore>(host.pool, clock);
    // Events are planned, filed and subsidised only for eligible institutions (R14.4, R14.5).
    peers::RegistryEligibilityOptions options;
    options.service = "training";
    options.address = host.config.Get("registry_addr");
    options.internal_proof = host.internal_proof;
    p->eligibility_ = std::make_unique<peers::RegistryEligibility>(options);
    p->handlers_ =
        std::make_unique<TrainingHandlers>(*p->store_, *p->ref_, *p->calendar_, p->rules_,
                                           *p->eligibility_, host.internal_proof, clock);
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

 private:
  TrainingProcess() = default;
  std::unique_ptr<ReferenceData> ref_;
  std::unique_ptr<CalendarSource> calendar_;
  std::vector<TrainingRules> rules_;
  std::unique_ptr<TrainingStore> store_;
  std::unique_ptr<peers::RegistryEligibility> eligibility_;
  std::unique_ptr<TrainingHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::training

int main(int argc, char** argv) {
  using namespace zhigai;
  server::ServiceDefinition def;
  def.name = "training";
  def.default_port = 7104;
  def.migrations = &migrations::Training();
  def.extra_settings = {
      {"calendar_path",
       "work-day calendar file (R13.4); empty = <data_dir>/cn-workdays.tsv. Re-read when it "
       "changes (see services/training/README.md)",
       std::string("")},
      {"calendar_check_seconds", "how often the calendar file's modification time is looked at",
       std::string("5")},
      {"training_rules_path",
       "every version of the R13 training conditions (issue 26); empty = "
       "<data_dir>/training-rules.tsv. Read at start: a bad file stops the start",
       std::string("")},
  };
  def.make_process = training::TrainingProcess::Make;
  return server::RunService(def, argc, argv);
}
