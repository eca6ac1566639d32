#include "services/registry/testing/registry_server.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/server/testing/context_as.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
}

namespace zhigai::registry::testing {
namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "registry for the test: %s\n", what.c_str());
  std::abort();
}

bool Report(const char* what, const grpc::Status& s) {
  if (s.ok()) return true;
  std::fprintf(stderr, "registry %s: %d %s\n", what, static_cast<int>(s.error_code()),
               s.error_message().c_str());
  return false;
}

}  // namespace

RegistryServer::RegistryServer(db::testing::TestDatabase& db, std::string internal_proof,
                               std::function<absl::Time()> clock)
    : proof_(std::move(internal_proof)), clock_(std::move(clock)) {
  conninfo_ = db.ServiceConninfo("registry");
  pool_ = std::make_unique<db::Pool>(db::PoolOptions{conninfo_, 4});
  if (auto s = server::Migrate(*pool_, "registry", migrations::Registry()); !s.ok()) {
    Die(std::string(s.message()));
  }
  auto industries = core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  auto divisions = core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  if (!industries.ok() || !divisions.ok()) Die("reference data");
  ref_ = std::make_unique<ReferenceData>(ReferenceData{*industries, *divisions});
  store_ = std::make_unique<RegistryStore>(*pool_, clock_);
  Start();
}

RegistryServer::~RegistryServer() { Stop(); }

void RegistryServer::Start() {
  if (server_) return;
  feed_hub_ = std::make_unique<PublicChangeHub>(
      [this](int64_t after, int limit) -> absl::StatusOr<PublicChangeHub::Page> {
        auto page = store_->ListPublicChanges(after, limit);
        if (!page.ok()) return page.status();
        return PublicChangeHub::Page{std::move(page->changes), page->last_sequence};
      });
  feed_hub_->Start();
  feed_listener_ = std::make_unique<db::NotificationListener>(
      conninfo_, kPublicChangesChannel, [this](const std::string&) { feed_hub_->Bump(); },
      [this](bool) { feed_hub_->Bump(); });
  feed_listener_->Start();
  handlers_ = std::make_unique<RegistryHandlers>(
      *store_, *ref_, core::TestSanctionRules(), proof_, [] { return absl::Now(); },
      feed_hub_.get());
  int port = port_;
  server_ =
      server::StartServer({handlers_.get()}, absl::StrCat("127.0.0.1:", port_), nullptr, &port);
  if (!server_) Die("cannot listen");
  port_ = port;
  stub_ = v1::RegistryService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

void RegistryServer::Stop() {
  if (!server_) return;
  feed_hub_->Stop();  // followers of the feed end now, as in a drain
  server_->Shutdown(std::chrono::system_clock::now());
  server_.reset();
  handlers_.reset();
  feed_listener_->Stop();
  feed_listener_.reset();
  feed_hub_.reset();
}

std::string RegistryServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::unique_ptr<grpc::ClientContext> RegistryServer::AsCity() const {
  return server::testing::ContextAs({auth::Role::kCityBureau, "city-test", "", "330300"}, proof_,
                                    std::chrono::seconds(30));
}

bool RegistryServer::Register(const std::string& code, const std::string& division) {
  v1::CreateInstitutionRequest create;
  create.set_request_id(absl::StrCat("create-", code));
  auto& in = *create.mutable_institution();
  in.set_credit_code(code);
  in.set_display_name(absl::StrCat("机构", code.substr(10)));
  in.set_legal_form(v1::INDEPENDENT_LEGAL_PERSON);
  *in.mutable_founded_date() = wire::testing::D("2016-01-01");
  in.mutable_registered_address()->set_province("浙江省");
  in.mutable_registered_address()->set_city("温州市");
  in.mutable_registered_address()->set_division_code(division);
  in.set_ownership(v1::PRIVATE);
  in.add_directions(common::v1::CONSULTING);
  in.add_directions(common::v1::TRAINING);
  in.mutable_contact()->set_name("李四");
  in.mutable_contact()->set_phone("13905770001");
  v1::Institution created;
  grpc::Status s = stub_->CreateInstitution(AsCity().get(), create, &created);
  return s.error_code() == grpc::StatusCode::ALREADY_EXISTS || Report("CreateInstitution", s);
}

bool RegistryServer::Admit(const std::string& code, int from, int to,
                           common::v1::Direction direction) {
  if (!Register(code)) return false;
  for (int year = from; year <= to; ++year) {
    v1::AdmitToDirectoryRequest admit;
    admit.set_command_id(
        absl::StrCat("admit-", code, "-", year, "-", common::v1::Direction_Name(direction)));
    admit.set_year(year);
    admit.set_level(common::v1::CITY);
    admit.set_credit_code(code);
    admit.set_direction(direction);
    admit.set_source("test");
    v1::DirectoryEntry entry;
    if (!Report("AdmitToDirectory", stub_->AdmitToDirectory(AsCity().get(), admit, &entry))) {
      return false;
    }
  }
  return true;
}

std::string RegistryServer::Sanction(const std::string& code, v1::SanctionKind kind,
                                     const std::string& start) {
  // Only a registered institution can be sanctioned (ImposeSanction answers NOT_FOUND).
  if (!Register(code)) return "";
  v1::ImposeSanctionRequest req;
  req.set_command_id(absl::StrCat("sanction-", code, "-", ++commands_));
  req.set_credit_code(code);
  req.set_kind(kind);
  if (!start.empty()) *req.mutable_start_date() = wire::testing::D(start);
  req.set_source_reference("test");
  req.set_reason("test sanction");
  v1::Sanction out;
  if (!Report("ImposeSanction", stub_->ImposeSanction(AsCity().get(), req, &out))) return "";
  return out.name();
}

bool RegistryServer::Lift(const std::string& name) {
  v1::ListSanctionsRequest list;
  v1::ListSanctionsResponse all;
  list.set_page_size(1000);
  if (!Report("ListSanctions", stub_->ListSanctions(AsCity().get(), list, &all))) return false;
  for (const auto& s : all.sanctions()) {
    if (s.name() != name) continue;
    v1::LiftSanctionRequest lift;
    lift.set_name(name);
    lift.set_version(s.version());
    lift.set_reason("test: lifted");
    v1::Sanction out;
    return Report("LiftSanction", stub_->LiftSanction(AsCity().get(), lift, &out));
  }
  return false;
}

}  // namespace zhigai::registry::testing
