// zhigai-registry: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/db/listener.h"
#include "libs/server/host.h"
#include "services/registry/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
}

int main(int argc, char** argv) {
  using namespace zhigai;
  // The handlers and the store live for the whole process; the host owns the server.
  static std::unique_ptr<registry::ReferenceData> ref;
  static std::unique_ptr<registry::RegistryStore> store;
  static std::unique_ptr<registry::RegistryCache> cache;
  static std::unique_ptr<db::NotificationListener> listener;
  static std::unique_ptr<registry::PublicChangeHub> feed_hub;
  static std::unique_ptr<db::NotificationListener> feed_listener;
  server::ServiceDefinition def;
  def.name = "registry";
  def.default_port = 7101;
  def.migrations = &migrations::Registry();
  def.make_services =
      [](server::HostContext& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
    auto industries = core::IndustryCatalog::Load(absl::StrCat(host.data_dir, "/industries.tsv"));
    if (!industries.ok()) return industries.status();
    auto divisions = core::DivisionCatalog::Load(absl::StrCat(host.data_dir, "/divisions.tsv"));
    if (!divisions.ok()) return divisions.status();
    ref = std::make_unique<registry::ReferenceData>(
        registry::ReferenceData{std::move(*industries), std::move(*divisions)});
    auto clock = host.now();
    cache = std::make_unique<registry::RegistryCache>();
    // The cache serves only while this listener is connected (see cache.h).
    listener = std::make_unique<db::NotificationListener>(
        host.config.Get("db"), "registry_changes",
        [](const std::string& code) { cache->Invalidate(code); },
        [](bool connected) {
          if (!connected) cache->SetEnabled(false);
          cache->InvalidateAll();
          if (connected) cache->SetEnabled(true);
        });
    listener->Start();
    store = std::make_unique<registry::RegistryStore>(host.pool, clock, cache.get());
    // Followers of the public feed share one reader of the table (public_changes.h), woken when
    // any replica commits a change and on every reconnect of its listener.
    feed_hub = std::make_unique<registry::PublicChangeHub>(
        [](int64_t after, int limit) -> absl::StatusOr<registry::PublicChangeHub::Page> {
          auto page = store->ListPublicChanges(after, limit);
          if (!page.ok()) return page.status();
          return registry::PublicChangeHub::Page{std::move(page->changes), page->last_sequence};
        });
    feed_hub->Start();
    feed_listener = std::make_unique<db::NotificationListener>(
        host.config.Get("db"), registry::kPublicChangesChannel,
        [](const std::string&) { feed_hub->Bump(); }, [](bool) { feed_hub->Bump(); });
    feed_listener->Start();
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<registry::RegistryHandlers>(
        *store, *ref, host.internal_proof, clock, feed_hub.get()));
    return services;
  };
  // The feed's pump reads through the host's pool: it stops before the pool goes away.
  def.stop_background = [] {
    if (feed_listener) feed_listener->Stop();
    if (feed_hub) feed_hub->Stop();
  };
  return server::RunService(def, argc, argv);
}
