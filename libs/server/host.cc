#include "libs/server/host.h"

#include <grpcpp/ext/health_check_service_server_builder_option.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/core/status_macros.h"
#include "libs/server/async_unary.h"
#include "libs/server/clock_follower.h"
#include "libs/server/health.h"
#include "libs/server/interceptor.h"
#include "libs/server/log.h"

namespace zhigai::server {

void ServerStopper::operator()(grpc::Server* server) const {
  server->Shutdown();  // a no-op when the owner already shut it down
  for (auto* s : queue_services) s->StopServing();
  delete server;
}

ServerPtr StartServer(const std::vector<grpc::Service*>& services, const std::string& listen,
                      prometheus::Registry* metrics, int* port) {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), port);
  std::vector<CompletionQueueServing*> async_services;
  for (auto* s : services) {
    builder.RegisterService(s);
    if (auto* a = dynamic_cast<CompletionQueueServing*>(s)) {
      a->AttachTo(builder);
      async_services.push_back(a);
    }
  }
  // Health on the sync API (health.h); the server owns it through the interface it returns
  // from GetHealthCheckService().
  auto health = std::make_shared<SyncHealthService>();
  builder.RegisterService(health.get());
  builder.SetOption(std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(
      ShareHealth(std::move(health))));
  // Callers behind a plain Kubernetes Service pin to one pod per connection; a maximum
  // connection age makes them reconnect and spread over new replicas.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000);
  builder.SetMaxReceiveMessageSize(8 * 1024 * 1024);
  // gRPC's sync server keeps 1 to 2 idle pollers by default and, under 32 calls in flight,
  // starts and ends a thread for nearly every call; keeping a few pollers warm and letting as
  // many as the calls in flight stay cut the registry's CPU per call by about a third
  // (docs/benchmarks.md, issue 2).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 8);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> chain;
  chain.push_back(MakeObservabilityInterceptor(metrics));
  builder.experimental().SetInterceptorCreators(std::move(chain));
  ServerPtr server(builder.BuildAndStart().release(), ServerStopper{async_services});
  if (server) {
    for (auto* a : async_services) a->StartServing();
  } else {
    for (auto* a : async_services) a->StopServing();
  }
  return server;
}

absl::Status Migrate(db::Pool& pool, const std::string& service,
                     const std::vector<db::Migration>& migrations) {
  ASSIGN_OR_RETURN(auto lease, pool.Acquire());
  auto framework = db::ApplyMigrations(*lease, "zhigai", db::FrameworkMigrations());
  if (!framework.ok()) return framework.status();
  auto own = db::ApplyMigrations(*lease, service, migrations);
  if (!own.ok()) return own.status();
  log::Info("migrations", {{"applied", absl::StrCat(framework->applied + own->applied)},
                           {"already", absl::StrCat(framework->already + own->already)}});
  return absl::OkStatus();
}

namespace {

int Fail(const std::string& why) {
  std::fprintf(stderr, "%s\n", why.c_str());
  return 2;
}

// Checks the database and the migrations every two seconds and publishes the answer as the
// readiness status, until shutdown begins. The same answer goes to the gauges zhigai_ready and
// zhigai_database_reachable, which the alerts read (k8s/components/monitoring/alerts.yml).
class ReadinessWatch {
 public:
  ReadinessWatch(grpc::HealthCheckServiceInterface* health, db::Pool& pool, std::string component,
                 const std::vector<db::Migration>& migrations, const ClockFollower* clock,
                 prometheus::Registry& metrics)
      : health_(health),
        pool_(pool),
        component_(std::move(component)),
        migrations_(migrations),
        clock_(clock),
        ready_gauge_(prometheus::BuildGauge()
                         .Name("zhigai_ready")
                         .Help("1 while the readiness health status is SERVING (database "
                               "reachable, migrations applied, business clock read)")
                         .Register(metrics)
                         .Add({})),
        database_gauge_(prometheus::BuildGauge()
                            .Name("zhigai_database_reachable")
                            .Help("1 when the last readiness check reached PostgreSQL and read "
                                  "the migrations table")
                            .Register(metrics)
                            .Add({})) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~ReadinessWatch() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    thread_.join();
    health_->SetServingStatus(kReadinessService, false);
    ready_gauge_.Set(0);
  }

 private:
  bool CheckOnce() {
    auto lease = pool_.Acquire();
    auto pending = lease.ok() ? db::PendingMigrations(**lease, component_, migrations_)
                              : absl::StatusOr<int>(lease.status());
    database_gauge_.Set(pending.ok() ? 1 : 0);
    // On a settable clock, not before the operator's setting has been read: the service would
    // decide on the wall clock's date.
    if (clock_ != nullptr && !clock_->synced()) return false;
    return pending.ok() && *pending == 0;
  }
  void Loop() {
    bool last = false, first = true;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopped_) {
      lock.unlock();
      bool ready = CheckOnce();
      lock.lock();
      if (stopped_) break;
      ready_gauge_.Set(ready ? 1 : 0);
      if (ready != last || first) {
        health_->SetServingStatus(kReadinessService, ready);
        log::Write(ready ? log::Level::kInfo : log::Level::kWarn,
                   ready ? "ready"
                         : (clock_ != nullptr && !clock_->synced()
                                ? "not ready: the settable business clock has not been read"
                                : "not ready: database unreachable or migrations behind"));
        last = ready;
        first = false;
      }
      cv_.wait_for(lock, std::chrono::seconds(2));
    }
  }
  grpc::HealthCheckServiceInterface* health_;
  db::Pool& pool_;
  std::string component_;
  const std::vector<db::Migration>& migrations_;
  const ClockFollower* clock_;
  prometheus::Gauge& ready_gauge_;
  prometheus::Gauge& database_gauge_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace

void PrepareServingProcess() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int RunService(const ServiceDefinition& def, int argc, char** argv) {
  PrepareServingProcess();
  // SIGTERM and SIGINT are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<SettingSpec> specs = CommonSettings(def.name, def.default_port);
  specs.insert(specs.end(), def.extra_settings.begin(), def.extra_settings.end());
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::printf("zhigai %s service\n%s", def.name.c_str(), Config::Usage(specs).c_str());
      return 0;
    }
  }
  auto config = Config::Parse(specs, argc, argv, ProcessEnvironment());
  if (!config.ok()) return Fail(absl::StrCat(def.name, ": ", config.status().message()));
  log::Level level;
  if (!log::ParseLevel(config->Get("log_level"), &level)) {
    return Fail(absl::StrCat(def.name, ": --log_level must be debug, info, warn or error"));
  }
  log::Init(def.name, level);
  auto pool_size = config->GetInt("db_pool_size");
  auto drain = config->GetInt("drain_seconds");
  if (!pool_size.ok()) return Fail(std::string(pool_size.status().message()));
  if (!drain.ok()) return Fail(std::string(drain.status().message()));

  auto metrics = std::make_shared<prometheus::Registry>();
  db::Pool pool({config->Get("db"), *pool_size}, metrics.get());
  const auto& migrations = *def.migrations;

  if (config->GetBool("migrate_only")) {
    absl::Status s = Migrate(pool, def.name, migrations);
    if (!s.ok()) return Fail(absl::StrCat(def.name, ": migrations failed: ", s.message()));
    return 0;
  }
  // Serving starts even when the database is down: liveness stays up, readiness says no,
  // and migrations are retried until they apply.
  if (absl::Status s = Migrate(pool, def.name, migrations); !s.ok()) {
    log::Warn("migrations not applied yet; will retry", {{"error", std::string(s.message())}});
  }

  auto clock_mode = core::ParseClockMode(config->Get("business_clock"));
  if (!clock_mode.ok()) return Fail(absl::StrCat(def.name, ": ", clock_mode.status().message()));
  // Lives until the process ends: handlers, stores and log lines read it.
  static core::BusinessClock* clock = new core::BusinessClock(*clock_mode);
  core::InstallProcessClock(clock);
  std::unique_ptr<ClockFollower> follower;
  if (clock->settable()) {
    log::Warn(
        "settable business clock: business dates follow zhigai-admin clock, not the wall "
        "clock; never run production like this");
    follower = std::make_unique<ClockFollower>(*clock, pool, config->Get("db"), def.name);
    if (absl::Status s = follower->SyncOnce(); !s.ok()) {
      log::Warn("business clock not read yet; not ready until it is",
                {{"error", std::string(s.message())}});
    }
    follower->Start();
  }

  HostContext context{
      *config, pool, *metrics, config->Get("data_dir"), config->Get("internal_proof"), *clock};
  auto made = def.make_process(context);
  if (!made.ok()) return Fail(absl::StrCat(def.name, ": ", made.status().message()));
  // Declared before the server, so the server (which stops the completion-queue services) goes
  // first, and after the pool, so the process's objects go before it.
  std::unique_ptr<ServiceProcess> process = std::move(*made);
  int port = 0;
  auto server = StartServer(process->services(), config->Get("listen"), metrics.get(), &port);
  if (!server || port == 0) {
    return Fail(absl::StrCat(def.name, ": cannot listen on ", config->Get("listen")));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  // The exposer holds collectables weakly: this one lives as long as the endpoint.
  std::shared_ptr<prometheus::Collectable> clock_metrics = ClockMetrics(*clock);
  if (!config->Get("metrics_listen").empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(config->Get("metrics_listen"));
      exposer->RegisterCollectable(metrics);
      exposer->RegisterCollectable(clock_metrics);
      for (const auto& c : context.collectables) exposer->RegisterCollectable(c);
    } catch (const std::exception& e) {
      return Fail(absl::StrCat(def.name, ": cannot serve metrics on ",
                               config->Get("metrics_listen"), ": ", e.what()));
    }
  }
  auto* health = server->GetHealthCheckService();
  health->SetServingStatus("", true);
  health->SetServingStatus(kReadinessService, false);
  if (clock->settable()) health->SetServingStatus(kSettableClockHealthName, true);
  std::atomic<bool> migrated{false};
  std::thread migrator([&] {
    // Keep trying to migrate while the database is away at start-up.
    for (int i = 0; i < 600 && !migrated; ++i) {
      if (Migrate(pool, def.name, migrations).ok())
        migrated = true;
      else
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  ReadinessWatch readiness(health, pool, def.name, migrations, follower.get(), *metrics);
  log::Info("serving", {{"grpc", absl::StrCat(port)}, {"metrics", config->Get("metrics_listen")}});

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                         {"deadline_s", absl::StrCat(*drain)}});
  migrated = true;
  readiness.Stop();
  health->SetServingStatus("", false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(*drain));
  migrator.join();
  process->Stop();
  if (follower) follower->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace zhigai::server
