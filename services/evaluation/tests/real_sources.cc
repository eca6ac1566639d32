#include "services/evaluation/tests/real_sources.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/credit_code.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/db/pool.h"
#include "libs/peers/registry_eligibility.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/wire/testing/literals.h"
#include "services/feedback/handlers.h"
#include "services/feedback/tracking_directory.h"
#include "services/registry/handlers.h"
#include "services/tracking/handlers.h"
#include "services/training/calendar_source.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/handlers.h"
#include "services/training/reference_data.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
const std::vector<zhigai::db::Migration>& Tracking();
const std::vector<zhigai::db::Migration>& Training();
const std::vector<zhigai::db::Migration>& Feedback();
}  // namespace zhigai::migrations

namespace zhigai::evaluation::testing {
namespace {

[[noreturn]] void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "real sources: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::abort();
}

absl::Time Noon(int y, int m, int d) {
  return absl::FromCivil(absl::CivilHour(y, m, d, 12), absl::FixedTimeZone(8 * 3600));
}

std::unique_ptr<db::Pool> Pool(db::testing::TestDatabase& db, const char* schema,
                               const std::vector<db::Migration>& migrations) {
  auto pool = std::make_unique<db::Pool>(db::PoolOptions{db.ServiceConninfo(schema), 4});
  if (auto s = server::Migrate(*pool, schema, migrations); !s.ok()) Die(schema, s);
  return pool;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

}  // namespace

std::unique_ptr<grpc::ClientContext> AsPrincipal(const auth::Principal& p) {
  return server::testing::ContextAs(p, kRealProof, std::chrono::seconds(60));
}

std::string RealCode(int n) {
  std::string first17 = absl::StrFormat("91330302E2E%06d", n);
  return first17 + *core::CreditCodeCheckChar(first17);
}

struct RealSources::Impl {
  std::unique_ptr<db::Pool> registry_pool, tracking_pool, training_pool, feedback_pool;
  std::unique_ptr<registry::ReferenceData> registry_ref;
  std::unique_ptr<registry::RegistryStore> registry_store;
  std::unique_ptr<registry::RegistryHandlers> registry;
  std::unique_ptr<tracking::ReferenceData> tracking_ref;
  std::unique_ptr<tracking::TrackingStore> tracking_store;
  std::unique_ptr<peers::RegistryEligibility> eligibility, training_eligibility;
  std::unique_ptr<tracking::TrackingHandlers> tracking;
  std::unique_ptr<training::ReferenceData> training_ref;
  std::unique_ptr<training::CalendarSource> calendar;
  std::unique_ptr<training::TrainingStore> training_store;
  std::unique_ptr<training::TrainingHandlers> training;
  std::unique_ptr<feedback::FeedbackStore> feedback_store;
  std::unique_ptr<feedback::TrackingEngagementDirectory> engagements;
  std::unique_ptr<peers::GrpcRegistryReader> registry_reader;
  std::unique_ptr<feedback::FeedbackHandlers> feedback;
  std::vector<zhigai::server::ServerPtr> servers;
};

RealSources::RealSources(db::testing::TestDatabase& db, int year)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  auto industries = core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  auto divisions = core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  if (!industries.ok()) Die("industries", industries.status());
  if (!divisions.ok()) Die("divisions", divisions.status());
  const absl::Time last_year = Noon(year - 1, 6, 15), this_year = Noon(year, 12, 1);
  auto last = [last_year] { return last_year; };
  auto now = [this_year] { return this_year; };
  auto serve = [&m](grpc::Service* service) {
    int port = 0;
    m.servers.push_back(server::StartServer({service}, "127.0.0.1:0", nullptr, &port));
    return absl::StrCat("127.0.0.1:", port);
  };

  m.registry_pool = Pool(db, "registry", migrations::Registry());
  m.registry_ref =
      std::make_unique<registry::ReferenceData>(registry::ReferenceData{*industries, *divisions});
  m.registry_store = std::make_unique<registry::RegistryStore>(*m.registry_pool, last);
  m.registry = std::make_unique<registry::RegistryHandlers>(
      *m.registry_store, *m.registry_ref, core::TestSanctionRules(), kRealProof, last);
  addresses_.registry = serve(m.registry.get());

  m.tracking_pool = Pool(db, "tracking", migrations::Tracking());
  m.tracking_ref =
      std::make_unique<tracking::ReferenceData>(tracking::ReferenceData{*industries, *divisions});
  m.tracking_store = std::make_unique<tracking::TrackingStore>(*m.tracking_pool, last);
  peers::RegistryEligibilityOptions options;
  options.service = "tracking";
  options.address = addresses_.registry;
  options.internal_proof = kRealProof;
  m.eligibility = std::make_unique<peers::RegistryEligibility>(options);
  m.tracking = std::make_unique<tracking::TrackingHandlers>(*m.tracking_store, *m.tracking_ref,
                                                            *m.eligibility, kRealProof, last);
  addresses_.tracking = serve(m.tracking.get());

  m.training_pool = Pool(db, "training", migrations::Training());
  m.training_ref = std::make_unique<training::ReferenceData>(
      training::ReferenceData::From(*industries, *divisions));
  auto calendar =
      training::CalendarSource::Open(ZHIGAI_DATA_DIR "/cn-workdays.tsv", absl::Hours(1), now);
  if (!calendar.ok()) Die("calendar", calendar.status());
  m.calendar = std::move(*calendar);
  m.training_store = std::make_unique<training::TrainingStore>(*m.training_pool, now);
  options.service = "training";
  m.training_eligibility = std::make_unique<peers::RegistryEligibility>(options);
  m.training = std::make_unique<training::TrainingHandlers>(
      *m.training_store, *m.training_ref, *m.calendar, training::TestTrainingRules(),
      *m.training_eligibility, kRealProof, now);
  addresses_.training = serve(m.training.get());

  m.feedback_pool = Pool(db, "feedback", migrations::Feedback());
  m.feedback_store = std::make_unique<feedback::FeedbackStore>(*m.feedback_pool, last);
  m.engagements = std::make_unique<feedback::TrackingEngagementDirectory>(
      Channel(addresses_.tracking), kRealProof);
  m.registry_reader = std::make_unique<peers::GrpcRegistryReader>(
      peers::RegistryReaderOptions{"feedback", addresses_.registry, kRealProof});
  m.feedback = std::make_unique<feedback::FeedbackHandlers>(
      feedback::HandlerDeps{*m.feedback_store, *m.engagements, *m.registry_reader,
                            core::TestSanctionRules(), kRealProof, last, [] {}});
  addresses_.feedback = serve(m.feedback.get());

  registry_stub_ = registry::v1::RegistryService::NewStub(Channel(addresses_.registry));
  tracking_stub_ = tracking::v1::TrackingService::NewStub(Channel(addresses_.tracking));
  training_stub_ = training::v1::TrainingService::NewStub(Channel(addresses_.training));
  feedback_stub_ = feedback::v1::FeedbackService::NewStub(Channel(addresses_.feedback));
}

RealSources::~RealSources() {
  for (auto& s : impl_->servers) s->Shutdown();
}

bool RealSources::Admit(const std::string& code, const std::string& name,
                        const std::vector<int>& years) {
  const auth::Principal city{auth::Role::kCityBureau, "city-1", "", "330300"};
  registry::v1::CreateInstitutionRequest create;
  create.set_request_id("create-" + code);
  auto& in = *create.mutable_institution();
  in.set_credit_code(code);
  in.set_display_name(name);
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
  grpc::Status s = registry_stub_->CreateInstitution(AsPrincipal(city).get(), create, &created);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateInstitution: %s\n", s.error_message().c_str());
    return false;
  }
  for (int year : years) {
    registry::v1::AdmitToDirectoryRequest admit;
    admit.set_command_id(absl::StrCat("admit-", code, "-", year));
    admit.set_year(year);
    admit.set_level(common::v1::CITY);
    admit.set_credit_code(code);
    admit.set_direction(common::v1::CONSULTING);
    admit.set_source("evaluation-test");
    registry::v1::DirectoryEntry entry;
    s = registry_stub_->AdmitToDirectory(AsPrincipal(city).get(), admit, &entry);
    if (!s.ok()) {
      std::fprintf(stderr, "AdmitToDirectory: %s\n", s.error_message().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace zhigai::evaluation::testing
