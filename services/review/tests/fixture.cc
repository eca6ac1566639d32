#include "services/review/tests/fixture.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/credit_code.h"
#include "libs/core/errors.h"
#include "libs/core/sha256.h"
#include "libs/server/grpc_status.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "services/review/domain/testing/rules.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Review();
}

namespace zhigai::review::testing {

namespace {
void Die(const std::string& why) {
  std::fprintf(stderr, "review test fixture: %s\n", why.c_str());
  std::abort();
}
}  // namespace

ReviewHarness::ReviewHarness(db::testing::TestDatabase* db) {
  if (db == nullptr) {
    own_db_ = db::testing::TestDatabase::Create();
    db = own_db_.get();
  }
  db_ = db;
  pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("review"), 4});
  if (auto s = server::Migrate(*pool_, "review", migrations::Review()); !s.ok()) {
    Die(std::string(s.message()));
  }
  auto industries = core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  auto divisions = core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  if (!industries.ok() || !divisions.ok()) Die("reference data missing");
  ref_ =
      std::make_unique<ReferenceData>(ReferenceData{std::move(*industries), std::move(*divisions)});
  SetToday(absl::CivilDay(2026, 3, 10));
  auto clock = [this] { return absl::FromUnixSeconds(now_seconds_.load()); };
  store_ = std::make_unique<ReviewStore>(*pool_, clock);
  registry_ = std::make_unique<registry::testing::RegistryServer>(*db_, kProof, clock);
  peers::RegistryEligibilityOptions options;
  options.service = "review";
  options.address = registry_->address();
  options.internal_proof = kProof;
  options.cache_ttl = absl::ZeroDuration();  // a sanction a test imposes shows at once
  eligibility_ = std::make_unique<peers::RegistryEligibility>(options);
  handlers_ = std::make_unique<ReviewHandlers>(*store_, *ref_, TestApplicationRules(),
                                               *eligibility_, kProof, clock, [this] {
                                                 if (on_enqueued_) on_enqueued_();
                                               });
  server_ = server::StartServer({handlers_.get()}, "127.0.0.1:0", nullptr, &port_);
  if (!server_) Die("cannot start the server");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  stub_ = v1::ReviewService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials(), args));
}

ReviewHarness::~ReviewHarness() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

void ReviewHarness::SetToday(absl::CivilDay day) {
  const absl::TimeZone shanghai = absl::FixedTimeZone(8 * 3600);
  now_seconds_ = absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 12, 0, 0), shanghai));
}

int64_t ReviewHarness::Count(const std::string& table, const std::string& where) {
  return db_->Count("review", table, where);
}

std::unique_ptr<grpc::ClientContext> As(const auth::Principal& p, int timeout_s) {
  return server::testing::ContextAs(p, kProof, std::chrono::seconds(timeout_s));
}

auth::Principal City() { return {auth::Role::kCityBureau, "city-officer", "", "330300"}; }
auth::Principal County(const std::string& d) {
  return {auth::Role::kCountyBureau, "county-" + d, "", d};
}
auth::Principal Inst(const std::string& code) {
  return {auth::Role::kInstitution, "inst-" + code, code, ""};
}
auth::Principal ExpertPrincipal(const std::string& subject) {
  return {auth::Role::kExpert, subject, "", ""};
}
auth::Principal Enterprise(const std::string& code) {
  return {auth::Role::kEnterprise, "ent-" + code, code, ""};
}

std::string Code(int n, const std::string& division) {
  std::string first17 = absl::StrCat("91", division, "MA", absl::Dec(n, absl::kZeroPad7));
  auto check = core::CreditCodeCheckChar(first17);
  if (!check) Die("cannot build a credit code");
  return first17 + *check;
}

v1::Call CityCall(int year) {
  v1::Call c;
  c.set_display_name(absl::StrCat(year, " 年温州市智能化技改服务机构征集"));
  c.set_year(year);
  c.set_scope(common::v1::CITY);
  for (auto d : {common::v1::CONSULTING, common::v1::TRAINING}) {
    auto* dir = c.add_directions();
    dir->set_direction(d);
    dir->set_selection_mode(v1::QUOTA);
    dir->set_quota(3);
  }
  *c.mutable_opening_date() = wire::testing::D(absl::StrCat(year, "-03-01"));
  *c.mutable_closing_date() = wire::testing::D(absl::StrCat(year, "-03-31"));
  c.set_notice_period_days(5);
  c.set_experts_per_application(3);
  auto* a = c.add_criteria();
  a->set_name("服务能力");
  a->set_weight_hundredths(100);
  a->set_full_marks_hundredths(6000);
  auto* b = c.add_criteria();
  b->set_name("典型案例");
  b->set_weight_hundredths(100);
  b->set_full_marks_hundredths(4000);
  c.set_tie_policy(v1::ALL_IN);
  return c;
}

v1::Application GoodApplication(const std::string& code, const std::string& name, int year) {
  v1::Application app;
  auto* p = app.mutable_profile();
  p->set_credit_code(code);
  p->set_display_name(name);
  p->set_legal_form(registry::v1::INDEPENDENT_LEGAL_PERSON);
  *p->mutable_founded_date() = wire::testing::D("2015-06-01");
  p->mutable_registered_address()->set_province("浙江省");
  p->mutable_registered_address()->set_city("温州市");
  p->mutable_registered_address()->set_division_code("330302");
  p->set_ownership(registry::v1::PRIVATE);
  p->set_previous_year_revenue_fen(500'000'000);
  p->add_directions(common::v1::CONSULTING);
  p->add_directions(common::v1::TRAINING);
  p->mutable_contact()->set_name("王五");
  p->mutable_contact()->set_phone("13905770002");
  p->set_staff_resident_in_wenzhou(12);
  p->set_products_and_strengths("智能工厂诊断与方案设计");
  app.add_directions(common::v1::CONSULTING);
  app.add_directions(common::v1::TRAINING);
  app.mutable_letter()->set_history("2015 年成立，专注制造业智能化改造。");
  for (int i = 0; i < 2; ++i) {
    auto* t = app.add_track_record();
    t->set_kind(v1::PROJECT_CASE);
    t->set_title(absl::StrCat("智能化诊断项目 ", i + 1));
    *t->mutable_date() = wire::testing::D(absl::StrCat(year - 1, "-0", 3 + i, "-15"));
    t->set_successful(true);
    auto* e = app.add_track_record();
    e->set_kind(v1::TRAINING_EVENT);
    e->set_title(absl::StrCat("技改培训 ", i + 1));
    *e->mutable_date() = wire::testing::D(absl::StrCat(year - 1, "-0", 5 + i, "-20"));
  }
  for (int i = 0; i < 3; ++i) {
    auto* s = app.add_staff();
    s->set_name(absl::StrCat("工程师", i + 1));
    s->set_title(v1::INTERMEDIATE);
    s->set_title_in_related_field(true);
    s->set_degree(v1::BACHELOR);
    s->set_degree_in_related_field(true);
    *s->mutable_work_start_date() = wire::testing::D("2012-07-01");
    s->set_resident_in_wenzhou(true);
  }
  for (auto a :
       {v1::QC_STAFF, v1::QC_SERVICE_PROCESS, v1::QC_SERVICE_STANDARDS, v1::QC_DELIVERABLES}) {
    auto* q = app.add_quality_control();
    q->set_aspect(a);
    q->set_description("质量管控制度");
  }
  return app;
}

std::string PdfBytes(size_t size, unsigned seed) {
  std::string out = "%PDF-1.7\n";
  std::mt19937 gen(seed);
  out.reserve(size);
  while (out.size() < size) out.push_back(static_cast<char>(gen() & 0xFF));
  out.resize(size);
  return out;
}

grpc::Status Upload(v1::ReviewService::Stub& stub, const auth::Principal& who,
                    const std::string& parent, v1::DocumentPurpose purpose,
                    const std::string& content, const std::string& request_id, v1::Document* out,
                    size_t chunk, const std::string& content_type) {
  auto ctx = As(who, 120);
  auto writer = stub.UploadDocument(ctx.get(), out);
  v1::UploadDocumentRequest header;
  auto* h = header.mutable_header();
  h->set_parent(parent);
  h->set_request_id(request_id);
  h->mutable_document()->set_display_name(absl::StrCat("材料-", request_id, ".pdf"));
  h->mutable_document()->set_content_type(content_type);
  h->mutable_document()->set_purpose(purpose);
  h->set_size_bytes(static_cast<int64_t>(content.size()));
  h->set_sha256(core::Sha256Hex(content));
  if (writer->Write(header)) {
    for (size_t off = 0; off < content.size(); off += chunk) {
      v1::UploadDocumentRequest part;
      part.set_chunk(content.substr(off, chunk));
      if (!writer->Write(part)) break;
    }
  }
  writer->WritesDone();
  return writer->Finish();
}

std::string ReasonOf(const grpc::Status& s) { return server::testing::ReasonOf(s); }
std::string RuleOf(const grpc::Status& s) { return server::testing::RuleOf(s); }

std::vector<std::string> FieldsOf(const grpc::Status& s) { return server::testing::FieldsOf(s); }

}  // namespace zhigai::review::testing
