// Runs one zhigai service: settings, logs, PostgreSQL pool and migrations, the gRPC server with
// health, reflection and the observability interceptor, the Prometheus endpoint, readiness,
// and a graceful drain on SIGTERM. A service's main.cc only describes itself.
#pragma once

#include <grpcpp/impl/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/business_clock.h"
#include "libs/db/migrations.h"
#include "libs/db/pool.h"
#include "libs/server/config.h"

namespace grpc {
class Server;
}  // namespace grpc
namespace prometheus {
class Registry;
class Collectable;
}  // namespace prometheus

namespace zhigai::server {

// Name of the health-check service that reports readiness (database reachable, migrations
// applied, not shutting down). The empty name reports liveness and never depends on the DB.
inline constexpr char kReadinessService[] = "readiness";

// Health-check service name that answers SERVING when the process runs a settable business
// clock (rehearsals): a probe, a dashboard or the prod overlay's check can see it at once.
inline constexpr char kSettableClockHealthName[] = "settable-business-clock";

struct HostContext {
  const Config& config;
  db::Pool& pool;
  prometheus::Registry& metrics;
  std::string data_dir;
  std::string internal_proof;
  // The business clock every rule reads (the system clock in production).
  const core::BusinessClock& clock;
  std::function<absl::Time()> now() const { return clock.AsFunction(); }
  // Gauges a service computes at scrape time (the calendar's coverage, say): the host serves
  // them on the metrics endpoint beside the registry's.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables = {};
};

// Everything a service's wiring builds (store, clients, dispatchers, listeners, handlers), owned
// by one object: one way to own a process (issue 23). The host serves services() until a
// signal; after the server has drained it calls Stop() exactly once, on the main thread, then
// destroys the object, still before its database pool. Declare members in the order they are
// built, so that destruction takes the handlers down first and the stores last.
class ServiceProcess {
 public:
  virtual ~ServiceProcess() = default;
  // The gRPC services to serve; they belong to this object.
  virtual std::vector<grpc::Service*> services() = 0;
  // Stops background threads (outbox dispatchers, notification listeners, pumps) that use the
  // host's pool. Nothing else calls into the object afterwards.
  virtual void Stop() {}
};

struct ServiceDefinition {
  std::string name;  // "registry": schema name, log name
  int default_port = 0;
  std::vector<SettingSpec> extra_settings;
  const std::vector<db::Migration>* migrations = nullptr;
  // Builds the process's objects once the pool, settings and clock exist; an error stops the
  // start with one line.
  std::function<absl::StatusOr<std::unique_ptr<ServiceProcess>>(HostContext&)> make_process;
};

int RunService(const ServiceDefinition& definition, int argc, char** argv);

// Process-wide settings for a serving binary (RunService calls it; the gateway's main too).
// Debian's Abseil is built in debug mode, so every absl::Mutex, gRPC's own included, records
// its lock order for deadlock detection: 3–4% of the gateway's CPU in perf. Serving binaries
// turn that off; the test binaries keep it, where it catches lock-order bugs.
void PrepareServingProcess();

class CompletionQueueServing;

// Destroys a server started by StartServer in the order gRPC needs: shut it down, then drain
// and stop the completion-queue methods of its services (events still queued for them refer to
// the server object), then delete it.
struct ServerStopper {
  std::vector<CompletionQueueServing*> queue_services;
  void operator()(grpc::Server* server) const;
};
using ServerPtr = std::unique_ptr<grpc::Server, ServerStopper>;

// Builds and starts a server with the project's standard plumbing (also used by in-process
// integration tests on port 0). `port` receives the bound port. A service that mixes in
// CompletionQueueServing (async_unary.h) gets its queues attached and started here; it must
// outlive the server.
ServerPtr StartServer(const std::vector<grpc::Service*>& services, const std::string& listen,
                      prometheus::Registry* metrics, int* port);

// Applies the framework's and the service's migrations.
absl::Status Migrate(db::Pool& pool, const std::string& service,
                     const std::vector<db::Migration>& migrations);

}  // namespace zhigai::server
