#include "services/feedback/tests/feedback_fixture.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/credit_code.h"
#include "libs/core/errors.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "services/registry/testing/registry_server.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Feedback();
}  // namespace zhigai::migrations

namespace zhigai::feedback::testing {
namespace {

[[noreturn]] void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "feedback test harness: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::abort();
}

}  // namespace

std::string Code(const char* tag, int n) {
  const std::string first17 = absl::StrFormat("91330300%s%05d", tag, n);
  auto check = core::CreditCodeCheckChar(first17);
  if (!check) Die(absl::StrCat("no check character for ", first17), absl::InternalError("code"));
  return first17 + *check;
}

auth::Principal City() { return {auth::Role::kCityBureau, "city-staff-1", "", "330300"}; }
auth::Principal County(const std::string& division) {
  return {auth::Role::kCountyBureau, "county-staff-" + division, "", division};
}
auth::Principal Enterprise(const std::string& code) {
  return {auth::Role::kEnterprise, "ent-user-" + code, code, ""};
}
auth::Principal Institution(const std::string& code) {
  return {auth::Role::kInstitution, "inst-user-" + code, code, ""};
}
auth::Principal Service() { return {auth::Role::kService, "evaluation", "", ""}; }

void FakeEngagements::Put(const std::string& name, EngagementFacts facts) {
  std::lock_guard<std::mutex> lock(mu_);
  facts_[name] = std::move(facts);
}

void FakeEngagements::SetDown(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

absl::StatusOr<EngagementFacts> FakeEngagements::Get(const std::string& engagement) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) {
    return Error(absl::StatusCode::kUnavailable, "TRACKING_UNAVAILABLE", "tracking is down",
                 "服务项目信息暂时无法核实");
  }
  auto it = facts_.find(engagement);
  if (it == facts_.end()) {
    return Error(absl::StatusCode::kNotFound, "ENGAGEMENT_NOT_FOUND", "unknown engagement",
                 "未找到该服务项目");
  }
  return it->second;
}

Harness::Harness(bool with_registry) {
  db_ = db::testing::TestDatabase::Create();
  pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("feedback"), 6});
  if (auto s = server::Migrate(*pool_, "feedback", migrations::Feedback()); !s.ok()) {
    Die("feedback migrations", s);
  }
  Clock clock = [this] { return Now(); };
  store_ = std::make_unique<FeedbackStore>(*pool_, clock);
  // A real registry always answers feedback's reads (is the institution registered, which bars
  // were lifted); `with_registry` says whether the outbox delivers to it too.
  registry_ = std::make_unique<registry::testing::RegistryServer>(*db_, kProof, clock);
  registry_port_ = std::stoi(registry_->address().substr(registry_->address().rfind(':') + 1));
  reader_ = std::make_unique<peers::GrpcRegistryReader>(
      peers::RegistryReaderOptions{"feedback", registry_->address(), kProof});
  outbox::DispatcherOptions options;
  options.service = "feedback";
  options.internal_proof = kProof;
  options.peers["registry"] = with_registry ? registry_->address() : "127.0.0.1:1";
  options.max_backoff = absl::Milliseconds(100);  // tests wait for retries, not for minutes
  options.call_timeout = absl::Seconds(2);
  dispatcher_ = std::make_unique<outbox::Dispatcher>(*pool_, options);
  outbox::Dispatcher* wake = dispatcher_.get();
  handlers_ = std::make_unique<FeedbackHandlers>(HandlerDeps{*store_, engagements_, *reader_,
                                                             core::TestSanctionRules(), kProof,
                                                             clock, [wake] { wake->Notify(); }});
  int port = 0;
  server_ = server::StartServer({handlers_.get()}, "127.0.0.1:0", nullptr, &port);
  stub_ = v1::FeedbackService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

Harness::~Harness() {
  dispatcher_->Stop();
  server_->Shutdown();
  registry_.reset();
}

absl::Time Harness::Now() {
  std::lock_guard<std::mutex> lock(clock_mu_);
  return fixed_now_.value_or(absl::Now());
}

void Harness::SetToday(absl::CivilDay day) {
  std::lock_guard<std::mutex> lock(clock_mu_);
  fixed_now_ = absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 12),
                               absl::FixedTimeZone(8 * 60 * 60));
}

std::unique_ptr<grpc::ClientContext> Harness::As(const auth::Principal& p) {
  return server::testing::ContextAs(p, kProof, std::chrono::seconds(10));
}

void Harness::StopRegistry() { registry_->Stop(); }

void Harness::StartRegistry() { registry_->Start(); }

int64_t Harness::Count(const std::string& schema_table, const std::string& where) {
  auto admin = db_->Admin();
  auto r =
      admin->QueryScript(absl::StrCat("SELECT count(*) FROM ", schema_table, " WHERE ", where));
  return r.ok() ? r->Int64(0, 0) : -1;
}

std::string Harness::Scalar(const std::string& sql) {
  auto admin = db_->Admin();
  auto r = admin->QueryScript(sql);
  if (!r.ok() || r->rows() == 0) return "";
  return r->String(0, 0);
}

}  // namespace zhigai::feedback::testing
