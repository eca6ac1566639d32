#include "services/tracking/tests/fixture.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/core/credit_code.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/wire/testing/literals.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
const std::vector<zhigai::db::Migration>& Tracking();
}  // namespace zhigai::migrations

namespace zhigai::tracking::testing {

using auth::Principal;
using auth::Role;

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal County(const std::string& d) { return {Role::kCountyBureau, "county-" + d, "", d}; }
Principal Inst(const std::string& code) { return {Role::kInstitution, "inst-" + code, code, ""}; }
Principal Ent(const std::string& code) { return {Role::kEnterprise, "ent-" + code, code, ""}; }
Principal Platform() { return {Role::kPolicyPlatform, "policy-platform", "", ""}; }
Principal Service() { return {Role::kService, "evaluation", "", ""}; }

std::string Code(int tag, int n) {
  // 9 (enterprise) 1, division 330302, a 9-digit organisation code from tag and n, check char.
  std::string first17 = absl::StrFormat("91330302%03d%06d", tag % 1000, n % 1000000);
  return first17 + *core::CreditCodeCheckChar(first17);
}

namespace {
void Die(absl::string_view what, const absl::Status& s) {
  std::fprintf(stderr, "test environment: %s: %s\n", std::string(what).c_str(),
               s.ToString().c_str());
  std::abort();
}
}  // namespace

std::unique_ptr<TrackingEnv> TrackingEnv::Start(int pool_size) {
  std::unique_ptr<TrackingEnv> env(new TrackingEnv());
  env->db_ = db::testing::TestDatabase::Create();
  auto clock = [] { return absl::Now(); };

  env->registry_pool_ =
      std::make_unique<db::Pool>(db::PoolOptions{env->db_->ServiceConninfo("registry"), 2});
  if (auto s = server::Migrate(*env->registry_pool_, "registry", migrations::Registry()); !s.ok()) {
    Die("registry migrations", s);
  }
  auto industries = core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  auto divisions = core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  if (!industries.ok() || !divisions.ok()) Die("reference data", industries.status());
  env->registry_ref_ =
      std::make_unique<registry::ReferenceData>(registry::ReferenceData{*industries, *divisions});
  env->registry_store_ = std::make_unique<registry::RegistryStore>(*env->registry_pool_, clock);
  env->registry_handlers_ = std::make_unique<registry::RegistryHandlers>(
      *env->registry_store_, *env->registry_ref_, core::TestSanctionRules(), kProof, clock);
  int port = 0;
  env->registry_server_ =
      server::StartServer({env->registry_handlers_.get()}, "127.0.0.1:0", nullptr, &port);
  env->registry_addr_ = absl::StrCat("127.0.0.1:", port);
  env->registry_stub_ = registry::v1::RegistryService::NewStub(
      grpc::CreateChannel(env->registry_addr_, grpc::InsecureChannelCredentials()));

  env->tracking_pool_ =
      std::make_unique<db::Pool>(db::PoolOptions{env->db_->ServiceConninfo("tracking"), pool_size});
  if (auto s = server::Migrate(*env->tracking_pool_, "tracking", migrations::Tracking()); !s.ok()) {
    Die("tracking migrations", s);
  }
  env->ref_ = std::make_unique<ReferenceData>(ReferenceData{*industries, *divisions});
  env->store_ = std::make_unique<TrackingStore>(*env->tracking_pool_, clock);
  RegistryEligibilityOptions options;
  options.service = "tracking";
  options.address = env->registry_addr_;
  options.internal_proof = kProof;
  env->eligibility_ = std::make_unique<RegistryEligibility>(options);
  env->handlers_ = std::make_unique<TrackingHandlers>(*env->store_, *env->ref_, *env->eligibility_,
                                                      kProof, clock);
  env->tracking_server_ =
      server::StartServer({env->handlers_.get()}, "127.0.0.1:0", nullptr, &port);
  env->tracking_stub_ = v1::TrackingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  return env;
}

TrackingEnv::~TrackingEnv() {
  for (auto& s : extra_servers_) s->Shutdown();
  if (tracking_server_) tracking_server_->Shutdown();
  if (registry_server_) registry_server_->Shutdown();
}

std::unique_ptr<v1::TrackingService::Stub> TrackingEnv::TrackingWithRegistryAt(
    const std::string& addr) {
  RegistryEligibilityOptions options;
  options.service = "tracking";
  options.address = addr;
  options.internal_proof = kProof;
  options.timeout = absl::Milliseconds(500);
  extra_eligibility_.push_back(std::make_unique<RegistryEligibility>(options));
  extra_handlers_.push_back(std::make_unique<TrackingHandlers>(
      *store_, *ref_, *extra_eligibility_.back(), kProof, [] { return absl::Now(); }));
  int port = 0;
  extra_servers_.push_back(
      server::StartServer({extra_handlers_.back().get()}, "127.0.0.1:0", nullptr, &port));
  return v1::TrackingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> TrackingEnv::As(const Principal& p, int timeout_s) {
  return server::testing::ContextAs(p, kProof, std::chrono::seconds(timeout_s));
}

int64_t TrackingEnv::Count(const std::string& table, const std::string& where) {
  return db_->Count("tracking", table, where);
}

bool TrackingEnv::RegisterOnly(const std::string& code) {
  registry::v1::CreateInstitutionRequest create;
  create.set_request_id(absl::StrCat("create-", code));
  auto& in = *create.mutable_institution();
  in.set_credit_code(code);
  in.set_display_name(absl::StrCat("机构", code.substr(11)));
  in.set_legal_form(registry::v1::INDEPENDENT_LEGAL_PERSON);
  *in.mutable_founded_date() = wire::testing::D("2016-01-01");
  in.mutable_registered_address()->set_province("浙江省");
  in.mutable_registered_address()->set_city("温州市");
  in.mutable_registered_address()->set_division_code("330302");
  in.set_ownership(registry::v1::PRIVATE);
  in.add_directions(common::v1::CONSULTING);
  in.mutable_contact()->set_name("李四");
  in.mutable_contact()->set_phone("13905770001");
  registry::v1::Institution created;
  grpc::Status s = registry_stub_->CreateInstitution(As(City()).get(), create, &created);
  return s.ok() || s.error_code() == grpc::StatusCode::ALREADY_EXISTS;
}

bool TrackingEnv::AdmitInstitution(const std::string& code, int year) {
  registry::v1::CreateInstitutionRequest create;
  create.set_request_id(absl::StrCat("create-", code));
  auto& in = *create.mutable_institution();
  in.set_credit_code(code);
  in.set_display_name(absl::StrCat("机构", code.substr(11)));
  in.set_legal_form(registry::v1::INDEPENDENT_LEGAL_PERSON);
  *in.mutable_founded_date() = wire::testing::D("2016-01-01");
  in.mutable_registered_address()->set_province("浙江省");
  in.mutable_registered_address()->set_city("温州市");
  in.mutable_registered_address()->set_division_code("330302");
  in.set_ownership(registry::v1::PRIVATE);
  in.add_directions(common::v1::CONSULTING);
  in.mutable_contact()->set_name("李四");
  in.mutable_contact()->set_phone("13905770001");
  registry::v1::Institution created;
  grpc::Status s = registry_stub_->CreateInstitution(As(City()).get(), create, &created);
  if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    std::fprintf(stderr, "CreateInstitution: %s\n", s.error_message().c_str());
    return false;
  }
  registry::v1::AdmitToDirectoryRequest admit;
  admit.set_command_id(absl::StrCat("admit-", code, "-", year));
  admit.set_year(year);
  admit.set_level(common::v1::CITY);
  admit.set_credit_code(code);
  admit.set_direction(common::v1::CONSULTING);
  admit.set_source("test");
  registry::v1::DirectoryEntry entry;
  s = registry_stub_->AdmitToDirectory(As(City()).get(), admit, &entry);
  if (!s.ok()) std::fprintf(stderr, "AdmitToDirectory: %s\n", s.error_message().c_str());
  return s.ok();
}

bool TrackingEnv::CreateEnterprise(const std::string& code, const std::string& division) {
  v1::CreateEnterpriseRequest req;
  req.set_request_id(absl::StrCat("ent-", code));
  auto& e = *req.mutable_enterprise();
  e.set_credit_code(code);
  e.set_display_name(absl::StrCat("企业", code.substr(11)));
  e.set_division_code(division);
  e.set_industry_code("PUMP_VALVE");
  e.set_size(v1::SMALL);
  v1::Enterprise out;
  grpc::Status s = tracking_stub_->CreateEnterprise(As(City()).get(), req, &out);
  if (!s.ok()) std::fprintf(stderr, "CreateEnterprise: %s\n", s.error_message().c_str());
  return s.ok();
}

}  // namespace zhigai::tracking::testing
