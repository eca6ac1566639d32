// zhigai-registry: wiring only.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/refdata.h"
#include "libs/core/sanction_rules.h"
#include "libs/core/status_macros.h"
#include "libs/db/listener.h"
#include "libs/server/host.h"
#include "services/registry/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
}

namespace zhigai::registry {
namespace {

// The registry's objects, in the order they are built (destroyed in reverse).
class RegistryProcess final : public server::ServiceProcess {
 public:
  static absl::StatusOr<std::unique_ptr<server::ServiceProcess>> Make(server::HostContext& host) {
    ASSIGN_OR_RETURN(auto catalogs, core::LoadCatalogs(host.data_dir));
    auto p = std::unique_ptr<RegistryProcess>(new RegistryProcess());
    std::string rules_path = host.config.Get("sanction_rules_path");
    if (rules_path.empty()) rules_path = absl::StrCat(host.data_dir, "/sanction-rules.tsv");
    auto rules = core::LoadSanctionRules(rules_path);
    if (!rules.ok()) return rules.status();
    p->sanction_rules_ = std::move(*rules);
    p->ref_ = std::make_unique<ReferenceData>(
        ReferenceData{std::move(catalogs.industries), std::move(catalogs.divisions)});
    auto clock = host.now();
    p->cache_ = std::make_unique<RegistryCache>();
    RegistryCache* cache = p->cache_.get();
    // The cache serves only while this listener is connected (see cache.h).
    p->listener_ = std::make_unique<db::NotificationListener>(
        host.config.Get("db"), "registry_changes",
        [cache](const std::string& code) { cache->Invalidate(code); },
        [cache](bool connected) {
          if (!connected) cache->SetEnabled(false);
          cache->InvalidateAll();
          if (connected) cache->SetEnabled(true);
        });
    p->listener_->Start();
    p->store_ = std::make_unique<RegistryStore>(host.pool, clock, cache);
    RegistryStore* store = p->store_.get();
    // Followers of the public feed share one reader of the table (public_changes.h), woken when
    // any replica commits a change and on every reconnect of its listener.
    p->feed_hub_ = std::make_unique<PublicChangeHub>(
        [store](int64_t after, int limit) -> absl::StatusOr<PublicChangeHub::Page> {
          auto page = store->ListPublicChanges(after, limit);
          if (!page.ok()) return page.status();
          return PublicChangeHub::Page{std::move(page->changes), page->last_sequence};
        });
    p->feed_hub_->Start();
    PublicChangeHub* hub = p->feed_hub_.get();
    p->feed_listener_ = std::make_unique<db::NotificationListener>(
        host.config.Get("db"), kPublicChangesChannel, [hub](const std::string&) { hub->Bump(); },
        [hub](bool) { hub->Bump(); });
    p->feed_listener_->Start();
    p->handlers_ = std::make_unique<RegistryHandlers>(*store, *p->ref_, p->sanction_rules_,
                                                      host.internal_proof, clock, hub);
    return std::unique_ptr<server::ServiceProcess>(std::move(p));
  }

  std::vector<grpc::Service*> services() override { return {handlers_.get()}; }

  // The feed's pump and both listeners read through the host's pool or notify into it.
  void Stop() override {
    feed_listener_->Stop();
    feed_hub_->Stop();
    listener_->Stop();
  }

 private:
  RegistryProcess() = default;
  std::unique_ptr<ReferenceData> ref_;
  std::vector<core::SanctionRules> sanction_rules_;
  std::unique_ptr<RegistryCache> cache_;
  std::unique_ptr<db::NotificationListener> listener_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<PublicChangeHub> feed_hub_;
  std::unique_ptr<db::NotificationListener> feed_listener_;
  std::unique_ptr<RegistryHandlers> handlers_;
};

}  // namespace
}  // namespace zhigai::registry

int main(int argc, char** argv) {
  using namespace zhigai;
  server::ServiceDefinition def;
  def.name = "registry";
  def.default_port = 7101;
  def.migrations = &migrations::Registry();
  def.extra_settings = {{"sanction_rules_path",
                         "every version of the R14.5 sanction rules (issue 26); empty = "
                         "<data_dir>/sanction-rules.tsv. Read at start: a bad file stops the start",
                         std::string("")}};
  def.make_process = registry::RegistryProcess::Make;
  return server::RunService(def, argc, argv);
}
