// zhigai-training: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/server/host.h"
#include "services/training/calendar_metrics.h"
#include "services/training/domain/training_rules.h"
#include "services/training/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Training();
}

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers, the store and the calendar live for the whole process.
  static std::unique_ptr<training::ReferenceData> ref;
  static std::unique_ptr<training::CalendarSource> calendar;
  static std::vector<training::TrainingRules> rules;
  static std::unique_ptr<training::TrainingStore> store;
  static std::unique_ptr<peers::RegistryEligibility> eligibility;
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
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto industries = core::IndustryCatalog::Load(absl::StrCat(host.data_dir, "/industries.tsv"));
    if (!industries.ok()) return industries.status();
    auto divisions = core::DivisionCatalog::Load(absl::StrCat(host.data_dir, "/divisions.tsv"));
    if (!divisions.ok()) return divisions.status();
    ref = std::make_unique<training::ReferenceData>(
        training::ReferenceData::From(std::move(*industries), std::move(*divisions)));
    std::string path = host.config.Get("calendar_path");
    if (path.empty()) path = absl::StrCat(host.data_dir, "/cn-workdays.tsv");
    auto check = host.config.GetInt("calendar_check_seconds");
    if (!check.ok()) return check.status();
    auto clock = host.now();
    // The calendar file is looked at on the wall clock: reloading is an operator's matter.
    auto opened =
        training::CalendarSource::Open(path, absl::Seconds(*check), [] { return absl::Now(); });
    if (!opened.ok()) return opened.status();
    calendar = std::move(*opened);
    host.collectables.push_back(training::CalendarMetrics(*calendar, clock));
    std::string rules_path = host.config.Get("training_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/training-rules.tsv");
    auto loaded = training::LoadTrainingRules(rules_path);
    if (!loaded.ok()) return loaded.status();
    rules = std::move(*loaded);
    store = std::make_unique<training::TrainingStore>(host.pool, clock);
    // Events are planned, filed and subsidised only for eligible institutions (R14.4, R14.5).
    peers::RegistryEligibilityOptions options;
    options.service = "training";
    options.address = host.config.Get("registry_addr");
    options.internal_proof = host.internal_proof;
    eligibility = std::make_unique<peers::RegistryEligibility>(options);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<training::TrainingHandlers>(
        *store, *ref, *calendar, rules, *eligibility, host.internal_proof, clock));
    return services;
  };
  return server::RunService(def, argc, argv);
}
