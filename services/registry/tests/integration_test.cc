// The registry's handlers and store against a real PostgreSQL, over real gRPC on port 0.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/auth/principal.h"
#include "libs/core/dates.h"
#include "libs/core/testing/sanction_rules.h"
#include "libs/db/listener.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "services/registry/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Registry();
}

namespace zhigai::registry {
namespace {

using auth::Principal;
using auth::Role;
constexpr char kProof[] = "test-proof";
constexpr char kCode[] = "91330302123456788P";
constexpr char kOther[] = "91330303MA2H3K4L4J";

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal County(std::string div) { return {Role::kCountyBureau, "county-" + div, "", div}; }
Principal Inst(std::string code) { return {Role::kInstitution, "inst-" + code, code, ""}; }
Principal Service() { return {Role::kService, "review", "", ""}; }

class RegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = db::testing::TestDatabase::Create();
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("registry"), 4});
    ASSERT_TRUE(server::Migrate(*pool_, "registry", migrations::Registry()).ok());
    ref_ = std::make_unique<ReferenceData>(
        ReferenceData{*core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv"),
                      *core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv")});
    // The suite runs with the cache on (one replica: local invalidation), so every handler
    // test also proves that writes invalidate what reads cached.
    cache_ = std::make_unique<RegistryCache>();
    cache_->SetEnabled(true);
    store_ = std::make_unique<RegistryStore>(
        *pool_, [] { return absl::Now(); }, cache_.get());
    handlers_ = std::make_unique<RegistryHandlers>(*store_, *ref_, core::TestSanctionRules(),
                                                   kProof, [] { return absl::Now(); });
    int port = 0;
    server_ = std::make_unique<server::ServerPtr>(
        server::StartServer({handlers_.get()}, "127.0.0.1:0", nullptr, &port));
    stub_ = v1::RegistryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    // The server stops before what it serves from, the pool before its database.
    (*server_)->Shutdown();
    stub_.reset();
    server_.reset();
    handlers_.reset();
    store_.reset();
    cache_.reset();
    ref_.reset();
    pool_.reset();
    db_.reset();
  }

  // A context carrying what the gateway would send.
  static std::unique_ptr<grpc::ClientContext> As(const Principal& p, const char* proof = kProof) {
    return server::testing::ContextAs(p, proof, std::chrono::seconds(10));
  }

  static int64_t Count(const std::string& table, const std::string& where = "true") {
    return db_->Count("registry", table, where);
  }

  static v1::Institution Profile(const std::string& code, const std::string& division = "330302") {
    v1::Institution in;
    in.set_credit_code(code);
    in.set_display_name(absl::StrCat("机构", code.substr(14)));
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
    return in;
  }

  static grpc::Status Create(const v1::Institution& in, const std::string& request_id,
                             v1::Institution* out, const Principal& who = City()) {
    v1::CreateInstitutionRequest req;
    *req.mutable_institution() = in;
    req.set_request_id(request_id);
    return stub_->CreateInstitution(As(who).get(), req, out);
  }

  static google::rpc::BadRequest BadRequestOf(const grpc::Status& s) {
    google::rpc::Status details;
    google::rpc::BadRequest bad;
    details.ParseFromString(s.error_details());
    for (const auto& any : details.details()) any.UnpackTo(&bad);
    return bad;
  }

  static inline std::unique_ptr<db::testing::TestDatabase> db_;
  static inline std::unique_ptr<db::Pool> pool_;
  static inline std::unique_ptr<ReferenceData> ref_;
  static inline std::unique_ptr<RegistryStore> store_;
  static inline std::unique_ptr<RegistryCache> cache_;
  static inline std::unique_ptr<RegistryHandlers> handlers_;
  static inline std::unique_ptr<server::ServerPtr> server_;
  static inline std::unique_ptr<v1::RegistryService::Stub> stub_;
};

TEST_F(RegistryTest, BadInputNamesFieldAndRuleAndWritesNothing) {
  int64_t before = Count("institutions"), audits = Count("audit_log");
  struct Case {
    std::function<void(v1::Institution&)> spoil;
    std::string field;
  } cases[] = {
      {[](auto& in) { in.set_credit_code("91330302123456788Q"); }, "institution.credit_code"},
      {[](auto& in) { in.mutable_registered_address()->set_division_code("330399"); },
       "institution.registered_address.division_code"},
      {[](auto& in) {
         std::string text;
         for (int i = 0; i < 301; ++i) text += "优";
         in.set_products_and_strengths(text);
       },
       "institution.products_and_strengths"},
      {[](auto& in) { in.set_display_name("\xc3\x28"); }, "institution.display_name"},
      {[](auto& in) { in.set_previous_year_revenue_fen(-100); },
       "institution.previous_year_revenue_fen"},
  };
  for (const auto& c : cases) {
    auto in = Profile("913303041456872374", "330304");
    c.spoil(in);
    v1::Institution out;
    grpc::Status s = Create(in, "bad-" + c.field, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    // Protobuf itself refuses a string field with invalid UTF-8 before any handler runs, so
    // that answer cannot name the field; the validators name it for HTTP/JSON and bytes input.
    if (c.field == "institution.display_name") continue;
    auto bad = BadRequestOf(s);
    ASSERT_EQ(bad.field_violations_size(), 1) << c.field << ": " << s.error_message();
    EXPECT_EQ(bad.field_violations(0).field(), c.field);
    EXPECT_NE(s.error_message().find(c.field), std::string::npos);
  }
  EXPECT_EQ(Count("institutions"), before);
  EXPECT_EQ(Count("audit_log"), audits);
}

TEST_F(RegistryTest, CreateIsIdempotentOnRequestIdAndDuplicateCodeIsAlreadyExists) {
  v1::Institution first, again, dup;
  ASSERT_TRUE(Create(Profile(kCode), "req-create-1", &first).ok());
  EXPECT_EQ(first.name(), absl::StrCat("institutions/", kCode));
  EXPECT_EQ(first.version(), 1);
  ASSERT_TRUE(Create(Profile(kCode), "req-create-1", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  grpc::Status s = Create(Profile(kCode), "req-create-2", &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Count("institutions", absl::StrCat("credit_code = '", kCode, "'")), 1);
  EXPECT_EQ(Count("audit_log", absl::StrCat("entity_id = '", kCode, "'")), 1);
}

TEST_F(RegistryTest, ConcurrentRepeatsOfOneRequestCreateOnce) {
  const std::string code = "913303041456872374";
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      v1::Institution out;
      if (Create(Profile(code, "330304"), "req-race", &out).ok()) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(Count("institutions", absl::StrCat("credit_code = '", code, "'")), 1);
}

TEST_F(RegistryTest, UpdateNeedsTheCurrentVersionAndKeepsHistory) {
  v1::Institution created;
  ASSERT_TRUE(Create(Profile(kOther, "330303"), "req-other", &created).ok());
  v1::UpdateInstitutionRequest req;
  *req.mutable_institution() = created;
  req.mutable_institution()->set_products_and_strengths("智能工厂诊断");
  req.mutable_update_mask()->add_paths("products_and_strengths");
  v1::Institution updated;
  ASSERT_TRUE(stub_->UpdateInstitution(As(Inst(kOther)).get(), req, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  // The same stale version again: ABORTED, nothing written.
  v1::Institution stale;
  grpc::Status s = stub_->UpdateInstitution(As(Inst(kOther)).get(), req, &stale);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  // An institution edits only itself and only its editable fields.
  EXPECT_EQ(stub_->UpdateInstitution(As(Inst(kCode)).get(), req, &stale).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.mutable_institution()->set_version(2);
  req.mutable_update_mask()->add_paths("display_name");
  EXPECT_EQ(stub_->UpdateInstitution(As(Inst(kOther)).get(), req, &stale).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A county bureau edits only institutions registered in its division.
  EXPECT_EQ(stub_->UpdateInstitution(As(County("330302")).get(), req, &stale).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListInstitutionRevisionsRequest hist;
  hist.set_name(created.name());
  v1::ListInstitutionRevisionsResponse revs;
  ASSERT_TRUE(stub_->ListInstitutionRevisions(As(City()).get(), hist, &revs).ok());
  ASSERT_EQ(revs.revisions_size(), 2);
  EXPECT_EQ(revs.revisions(0).institution().version(), 2);
  EXPECT_EQ(revs.revisions(0).change().actor_role(), "INSTITUTION");
  EXPECT_EQ(revs.revisions(1).change().actor_role(), "CITY_BUREAU");
}

TEST_F(RegistryTest, PersonalDataOnlyForBureausAndTheInstitution) {
  v1::Institution created, seen;
  ASSERT_TRUE(Create(Profile("92330324L23456783Q"), "req-pd", &created).ok());
  v1::GetInstitutionRequest get;
  get.set_name(created.name());
  // The first read goes to PostgreSQL on a blocking thread and fills the cache; the next two are
  // answered from memory on a queue thread, and the cached profile must not be the redacted one.
  ASSERT_TRUE(stub_->GetInstitution(As(Principal::Anonymous()).get(), get, &seen).ok());
  EXPECT_FALSE(seen.has_contact());
  ASSERT_TRUE(stub_->GetInstitution(As(Inst(kCode)).get(), get, &seen).ok());
  EXPECT_FALSE(seen.has_contact());
  ASSERT_TRUE(stub_->GetInstitution(As(County("330305")).get(), get, &seen).ok());
  EXPECT_EQ(seen.contact().phone(), "13905770001");
  // zhigai's services get the redacted form on every path: the read, the list, the echo of a
  // create, and no revision history (which holds whole profiles).
  ASSERT_TRUE(stub_->GetInstitution(As(Service()).get(), get, &seen).ok());
  EXPECT_FALSE(seen.has_contact());
  EXPECT_FALSE(seen.has_legal_representative());
  v1::Institution echoed;
  ASSERT_TRUE(Create(Profile("91330302MA2K7K8L3U"), "req-pd-svc", &echoed, Service()).ok());
  EXPECT_FALSE(echoed.has_contact());
  EXPECT_EQ(echoed.display_name(), Profile("91330302MA2K7K8L3U").display_name());
  v1::ListInstitutionsRequest list;
  list.set_page_size(1000);
  v1::ListInstitutionsResponse as_service, as_city;
  ASSERT_TRUE(stub_->ListInstitutions(As(Service()).get(), list, &as_service).ok());
  ASSERT_TRUE(stub_->ListInstitutions(As(City()).get(), list, &as_city).ok());
  ASSERT_FALSE(as_service.institutions().empty());
  for (const auto& in : as_service.institutions()) EXPECT_FALSE(in.has_contact()) << in.name();
  int with_contact = 0;
  for (const auto& in : as_city.institutions()) with_contact += in.has_contact() ? 1 : 0;
  EXPECT_EQ(with_contact, as_city.institutions_size());
  v1::ListInstitutionRevisionsRequest revisions;
  revisions.set_name(created.name());
  v1::ListInstitutionRevisionsResponse history;
  EXPECT_EQ(stub_->ListInstitutionRevisions(As(Service()).get(), revisions, &history).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Issue 27 item 3: a county bureau acts within its division on create as on update: it
// registers institutions, and consortia led by institutions, of its own division only.
TEST_F(RegistryTest, ACountyBureauCreatesOnlyWithinItsDivision) {
  const std::string in_302 = "91330302MA2K7K8L4Y", in_303 = "91330303MA2K7K8L5G";
  v1::Institution out;
  grpc::Status s = Create(Profile(in_302, "330302"), "req-county-other", &out, County("330303"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(server::testing::ReasonOf(s), "OUTSIDE_DIVISION");
  EXPECT_EQ(Count("institutions", "credit_code = '" + in_302 + "'"), 0);
  ASSERT_TRUE(Create(Profile(in_302, "330302"), "req-county-own", &out, County("330302")).ok());
  ASSERT_TRUE(Create(Profile(in_303, "330303"), "req-county-own-3", &out, County("330303")).ok());

  v1::CreateConsortiumRequest req;
  req.set_request_id("req-consortium-county");
  auto* c = req.mutable_consortium();
  c->set_display_name("鹿城智能化服务联合体");
  c->set_lead_credit_code(in_302);
  auto* lead = c->add_members();
  lead->set_credit_code(in_302);
  lead->set_display_name("牵头单位");
  lead->set_role(v1::ENGINEERING_SERVICE);
  auto* other = c->add_members();
  other->set_credit_code(in_303);
  other->set_display_name("成员单位");
  other->set_role(v1::SOLUTION_SUPPLIER);
  v1::Consortium made;
  s = stub_->CreateConsortium(As(County("330303")).get(), req, &made);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(Count("consortia", "lead_credit_code = '" + in_302 + "'"), 0);
  s = stub_->CreateConsortium(As(County("330302")).get(), req, &made);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// An unknown enum value in a list filter is refused naming the field, never dropped (a dropped
// filter would widen the answer).
TEST_F(RegistryTest, UnknownFilterValuesAreInvalidArgument) {
  v1::ListInstitutionsRequest list;
  list.set_direction(static_cast<common::v1::Direction>(99));
  list.set_legal_form(static_cast<v1::LegalForm>(42));
  v1::ListInstitutionsResponse page;
  grpc::Status s = stub_->ListInstitutions(As(City()).get(), list, &page);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const google::rpc::BadRequest bad = BadRequestOf(s);
  std::set<std::string> fields;
  for (const auto& f : bad.field_violations()) fields.insert(f.field());
  EXPECT_EQ(fields, (std::set<std::string>{"direction", "legal_form"}));
  // A division filter names a division of the catalogue (docs/catalogue-checks.md).
  v1::ListInstitutionsRequest by_division;
  by_division.set_division_code("999999");
  EXPECT_EQ(stub_->ListInstitutions(As(City()).get(), by_division, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListCountyFilingsRequest filings;
  filings.set_division_code("330399");
  v1::ListCountyFilingsResponse filing_page;
  EXPECT_EQ(stub_->ListCountyFilings(As(Principal::Anonymous()).get(), filings, &filing_page)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListDirectoryEntriesRequest entries;
  entries.set_year(2031);
  entries.set_direction(static_cast<common::v1::Direction>(99));
  v1::ListDirectoryEntriesResponse entry_page;
  EXPECT_EQ(stub_->ListDirectoryEntries(As(City()).get(), entries, &entry_page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The hot reads run on completion queues whose pending requests refer to the server object:
// destroying a server must drain them first (ServerStopper). Started and stopped many times,
// with calls served from memory and from PostgreSQL, under the sanitizer build too.
TEST_F(RegistryTest, ServersWithCompletionQueueMethodsStartAndStopCleanly) {
  v1::Institution created;
  ASSERT_TRUE(Create(Profile("9133032725406811XA", "330327"), "req-restart", &created).ok());
  // Busy threads on every core make the queue threads lag behind the owner's thread, which is
  // when a server deleted before its queues drain would be touched after deletion.
  std::atomic<bool> busy{true};
  std::vector<std::thread> spinners;
  for (unsigned k = 0; k < 2 * std::max(1u, std::thread::hardware_concurrency()); ++k) {
    spinners.emplace_back([&] {
      while (busy.load(std::memory_order_relaxed)) {
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    auto handlers = std::make_unique<RegistryHandlers>(*store_, *ref_, core::TestSanctionRules(),
                                                       kProof, [] { return absl::Now(); });
    int port = 0;
    auto server = server::StartServer({handlers.get()}, "127.0.0.1:0", nullptr, &port);
    ASSERT_NE(server, nullptr);
    auto stub = v1::RegistryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    v1::GetInstitutionRequest get;
    get.set_name("institutions/9133032725406811XA");
    v1::Institution out;
    ASSERT_TRUE(stub->GetInstitution(As(City()).get(), get, &out).ok()) << i;
    EXPECT_EQ(out.credit_code(), "9133032725406811XA");
    if (i % 2 == 1) cache_->Invalidate("9133032725406811XA");  // the next one from PostgreSQL
    server.reset();
    handlers.reset();
  }
  busy = false;
  for (auto& t : spinners) t.join();
}

// Issue 26: a sanction's term is computed under the sanction rules in force on its first day
// and records their version; adding a version 2 (five-year bars from 2040) leaves a bar of
// 2039 at three years, and a start before the first version is refused, nothing written.
TEST_F(RegistryTest, ASanctionIsTimedUnderTheRulesInForceOnItsFirstDayAndSaysWhich) {
  auto rules = core::ParseSanctionRules(
      "version\tparameter\tvalue\tsource\n"
      "1\teffective_from\t2000-01-01\t\n1\tr14_5.bar_years\t3\t\n"
      "1\tr14_5.bar_distinct_enterprises\t3\t\n"
      "1\tr14_5.bar_complaints_from_one_enterprise\t3\t\n"
      "2\teffective_from\t2040-01-01\t\n2\tr14_5.bar_years\t5\t\n"
      "2\tr14_5.bar_distinct_enterprises\t3\t\n"
      "2\tr14_5.bar_complaints_from_one_enterprise\t3\t\n",
      "two-versions.tsv");
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto handlers = std::make_unique<RegistryHandlers>(*store_, *ref_, *rules, kProof,
                                                     [] { return absl::Now(); });
  int port = 0;
  auto server = server::StartServer({handlers.get()}, "127.0.0.1:0", nullptr, &port);
  ASSERT_NE(server, nullptr);
  auto stub = v1::RegistryService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  const std::string code = "91330302MA2RULE7KK";
  v1::Institution created;
  ASSERT_TRUE(Create(Profile(code), "req-rules", &created).ok());
  v1::ImposeSanctionRequest bar;
  bar.set_credit_code(code);
  bar.set_kind(v1::BAR);
  bar.set_source_reference("complaints/1,complaints/2,complaints/3");
  v1::Sanction under_v1, under_v2;
  bar.set_command_id("rules-v1");
  *bar.mutable_start_date() = wire::testing::D("2039-12-31");
  ASSERT_TRUE(stub->ImposeSanction(As(Service()).get(), bar, &under_v1).ok());
  EXPECT_EQ(under_v1.rule_version(), 1);
  EXPECT_EQ(wire::DateText(under_v1.end_date()), "2042-12-30");
  bar.set_command_id("rules-v2");
  *bar.mutable_start_date() = wire::testing::D("2040-01-01");
  ASSERT_TRUE(stub->ImposeSanction(As(Service()).get(), bar, &under_v2).ok());
  EXPECT_EQ(under_v2.rule_version(), 2);
  EXPECT_EQ(wire::DateText(under_v2.end_date()), "2044-12-31");
  // Read back through the suite's registry (version 1 only): the stored terms and versions stay.
  v1::ListSanctionsRequest list;
  list.set_credit_code(code);
  v1::ListSanctionsResponse read;
  ASSERT_TRUE(stub_->ListSanctions(As(City()).get(), list, &read).ok());
  ASSERT_EQ(read.sanctions_size(), 2);
  EXPECT_EQ(read.sanctions(0).rule_version(), 1);
  EXPECT_EQ(read.sanctions(1).rule_version(), 2);
  EXPECT_EQ(wire::DateText(read.sanctions(1).end_date()), "2044-12-31");

  auto late = core::ParseSanctionRules(
      "version\tparameter\tvalue\tsource\n"
      "1\teffective_from\t2040-01-01\t\n1\tr14_5.bar_years\t3\t\n"
      "1\tr14_5.bar_distinct_enterprises\t3\t\n"
      "1\tr14_5.bar_complaints_from_one_enterprise\t3\t\n",
      "late.tsv");
  ASSERT_TRUE(late.ok()) << late.status();
  server.reset();  // stops the queues before their handlers go
  handlers =
      std::make_unique<RegistryHandlers>(*store_, *ref_, *late, kProof, [] { return absl::Now(); });
  server = server::StartServer({handlers.get()}, "127.0.0.1:0", nullptr, &port);
  stub = v1::RegistryService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  bar.set_command_id("rules-none");
  *bar.mutable_start_date() = wire::testing::D("2039-06-01");
  v1::Sanction none;
  grpc::Status refused = stub->ImposeSanction(As(Service()).get(), bar, &none);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(refused), "SANCTION_RULES_NOT_IN_FORCE");
  EXPECT_EQ(Count("sanctions", "command_id = 'rules-none'"), 0);
  server.reset();
}

TEST_F(RegistryTest, PrincipalWithoutTheGatewayProofIsRefused) {
  v1::GetInstitutionRequest get;
  get.set_name(absl::StrCat("institutions/", kCode));
  v1::Institution out;
  EXPECT_EQ(stub_->GetInstitution(As(City(), "forged").get(), get, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(RegistryTest, AdmissionByCommandIdAdmitsOnceAndShowsInThePublicDirectory) {
  v1::Institution created;
  const std::string code = "93330326MA0B1C2D46";
  ASSERT_TRUE(Create(Profile(code, "330326"), "req-admit", &created).ok());
  v1::AdmitToDirectoryRequest admit;
  admit.set_command_id("admit:2031:city:consulting:" + code);
  admit.set_year(2031);
  admit.set_level(common::v1::CITY);
  admit.set_credit_code(code);
  admit.set_direction(common::v1::CONSULTING);
  admit.set_source("calls/2031-city/applications/1");
  v1::DirectoryEntry a, b;
  ASSERT_TRUE(stub_->AdmitToDirectory(As(Service()).get(), admit, &a).ok());
  ASSERT_TRUE(stub_->AdmitToDirectory(As(Service()).get(), admit, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(Count("directory_entries", "year = 2031"), 1);

  v1::ListDirectoryEntriesRequest list;
  list.set_year(2031);
  v1::ListDirectoryEntriesResponse page;
  ASSERT_TRUE(stub_->ListDirectoryEntries(As(Principal::Anonymous()).get(), list, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).credit_code(), code);
  // The public cannot ask for removed or suspended entries.
  list.set_status(v1::REMOVED);
  EXPECT_EQ(stub_->ListDirectoryEntries(As(Principal::Anonymous()).get(), list, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A county bureau cannot admit to the city directory or another county's.
  admit.set_command_id("admit-county-wrong");
  admit.set_level(common::v1::COUNTY);
  admit.set_division_code("330303");
  v1::DirectoryEntry c;
  EXPECT_EQ(stub_->AdmitToDirectory(As(County("330302")).get(), admit, &c).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An unregistered institution cannot be admitted.
  admit.set_credit_code("91330328MA9X8W7U44");
  admit.set_division_code("330302");
  admit.set_command_id("admit-unknown");
  EXPECT_EQ(stub_->AdmitToDirectory(As(County("330302")).get(), admit, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// R4.1: the city bureau adjusts the directory during the year; every change keeps its reason,
// business date and who made it, and the bureaus (not the institutions) can read them all.
TEST_F(RegistryTest, DirectoryEntryHistoryKeepsEveryChangeWithReasonDateAndActor) {
  v1::Institution created;
  const std::string code = "91330304MA2K7K8L1J";
  ASSERT_TRUE(Create(Profile(code, "330304"), "req-history", &created).ok());
  v1::AdmitToDirectoryRequest admit;
  admit.set_command_id("admit:2036:city:training:" + code);
  admit.set_year(2036);
  admit.set_level(common::v1::CITY);
  admit.set_credit_code(code);
  admit.set_direction(common::v1::TRAINING);
  admit.set_source("calls/2036-city/applications/7");
  v1::DirectoryEntry entry;
  ASSERT_TRUE(stub_->AdmitToDirectory(As(Service()).get(), admit, &entry).ok());

  auto change = [&](v1::EntryStatus status, const std::string& reason) {
    v1::UpdateDirectoryEntryRequest up;
    up.set_name(entry.name());
    up.set_status(status);
    up.set_status_reason(reason);
    up.set_version(entry.version());
    grpc::Status s = stub_->UpdateDirectoryEntry(As(City()).get(), up, &entry);
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  change(v1::SUSPENDED, "投诉核查期间暂停（R15.2）");
  change(v1::ACTIVE, "核查完毕，恢复");
  // A refused change (stale version) leaves no history row.
  v1::UpdateDirectoryEntryRequest stale;
  stale.set_name(entry.name());
  stale.set_status(v1::REMOVED);
  stale.set_status_reason("stale");
  stale.set_version(1);
  v1::DirectoryEntry ignored;
  EXPECT_EQ(stub_->UpdateDirectoryEntry(As(City()).get(), stale, &ignored).error_code(),
            grpc::StatusCode::ABORTED);

  v1::ListDirectoryEntryChangesRequest list;
  list.set_parent(entry.name());
  list.set_page_size(2);
  std::vector<v1::DirectoryEntryChange> all;
  for (int pages = 0; pages < 5; ++pages) {
    v1::ListDirectoryEntryChangesResponse page;
    grpc::Status s = stub_->ListDirectoryEntryChanges(As(County("330302")).get(), list, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    all.insert(all.end(), page.changes().begin(), page.changes().end());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  const std::string today = core::FormatDate(core::BusinessDayOf(absl::Now()));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version(), 1);
  EXPECT_EQ(all[0].status(), v1::ACTIVE);
  EXPECT_EQ(all[0].reason(), "admitted: calls/2036-city/applications/7");
  EXPECT_EQ(all[0].changed_by(), "review");
  EXPECT_EQ(all[1].version(), 2);
  EXPECT_EQ(all[1].status(), v1::SUSPENDED);
  EXPECT_EQ(all[1].reason(), "投诉核查期间暂停（R15.2）");
  EXPECT_EQ(all[1].changed_by(), "city-1");
  EXPECT_EQ(all[2].version(), 3);
  EXPECT_EQ(all[2].status(), v1::ACTIVE);
  EXPECT_EQ(all[2].reason(), "核查完毕，恢复");
  for (const auto& c : all) {
    EXPECT_EQ(wire::DateText(c.change_date()), today);
    EXPECT_TRUE(c.has_change_time());
  }

  // Institutions do not read the bureau's history; unknown entries are NOT_FOUND.
  v1::ListDirectoryEntryChangesRequest again;
  again.set_parent(entry.name());
  v1::ListDirectoryEntryChangesResponse page;
  EXPECT_EQ(stub_->ListDirectoryEntryChanges(As(Inst(code)).get(), again, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  again.set_parent("directoryEntries/999999");
  EXPECT_EQ(stub_->ListDirectoryEntryChanges(As(City()).get(), again, &page).error_code(),
            grpc::StatusCode::NOT_FOUND);
  again.set_parent("entries/x");
  EXPECT_EQ(stub_->ListDirectoryEntryChanges(As(City()).get(), again, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RegistryTest, SanctionsByCommandIdAndEligibility) {
  v1::Institution created;
  const std::string code = "91330381MA3T4U5W6L";
  ASSERT_TRUE(Create(Profile(code, "330381"), "req-sanction", &created).ok());
  v1::AdmitToDirectoryRequest admit;
  admit.set_command_id("admit-s-1");
  admit.set_year(2032);
  admit.set_level(common::v1::CITY);
  admit.set_credit_code(code);
  admit.set_direction(common::v1::CONSULTING);
  v1::DirectoryEntry entry;
  ASSERT_TRUE(stub_->AdmitToDirectory(As(City()).get(), admit, &entry).ok());

  v1::CheckEligibilityRequest check;
  check.set_credit_code(code);
  check.set_service_kind(common::v1::DIAGNOSIS);
  *check.mutable_date() = wire::testing::D("2032-06-01");
  v1::Eligibility e;
  ASSERT_TRUE(stub_->CheckEligibility(As(Service()).get(), check, &e).ok());
  EXPECT_TRUE(e.eligible());
  // Experts review applications; whether an institution may be paid is not theirs to ask.
  const Principal expert{Role::kExpert, "expert-7", "", ""};
  EXPECT_EQ(stub_->CheckEligibility(As(expert).get(), check, &e).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::BatchCheckEligibilityRequest by_expert;
  *by_expert.add_requests() = check;
  v1::BatchCheckEligibilityResponse expert_results;
  EXPECT_EQ(stub_->BatchCheckEligibility(As(expert).get(), by_expert, &expert_results).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ImposeSanctionRequest bar;
  bar.set_command_id("bar:" + code + ":2032-05-20");
  bar.set_credit_code(code);
  bar.set_kind(v1::BAR);
  *bar.mutable_start_date() = wire::testing::D("2032-05-20");
  bar.set_source_reference("complaints/1,complaints/2,complaints/3");
  v1::Sanction s1, s2;
  ASSERT_TRUE(stub_->ImposeSanction(As(Service()).get(), bar, &s1).ok());
  ASSERT_TRUE(stub_->ImposeSanction(As(Service()).get(), bar, &s2).ok());
  EXPECT_EQ(s1.name(), s2.name());
  EXPECT_EQ(wire::DateText(s1.end_date()), "2035-05-19");
  EXPECT_EQ(Count("sanctions", absl::StrCat("credit_code = '", code, "'")), 1);
  // A well-formed code of no registered institution is not sanctioned (issue 27 item 2).
  v1::ImposeSanctionRequest nobody = bar;
  nobody.set_command_id("bar:nobody");
  nobody.set_credit_code("91330328MA9X8W7U44");
  v1::Sanction none;
  grpc::Status refused = stub_->ImposeSanction(As(Service()).get(), nobody, &none);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server::testing::ReasonOf(refused), "INSTITUTION_NOT_REGISTERED");
  EXPECT_EQ(Count("sanctions", "credit_code = '91330328MA9X8W7U44'"), 0);

  ASSERT_TRUE(stub_->CheckEligibility(As(Service()).get(), check, &e).ok());
  EXPECT_FALSE(e.eligible());
  ASSERT_EQ(e.reasons_size(), 1);
  EXPECT_EQ(e.reasons(0).reason(), v1::BARRED);
  EXPECT_EQ(e.reasons(0).rule(), "R14.5");

  v1::BatchCheckEligibilityRequest batch;
  *batch.add_requests() = check;
  *check.mutable_date() = wire::testing::D("2032-05-19");  // the day before the bar
  *batch.add_requests() = check;
  check.set_service_kind(common::v1::TRAINING_SERVICE);
  *batch.add_requests() = check;
  v1::BatchCheckEligibilityResponse results;
  ASSERT_TRUE(stub_->BatchCheckEligibility(As(Service()).get(), batch, &results).ok());
  ASSERT_EQ(results.results_size(), 3);
  EXPECT_FALSE(results.results(0).eligible());
  EXPECT_TRUE(results.results(1).eligible());
  EXPECT_EQ(results.results(2).reasons(0).reason(), v1::DIRECTION_NOT_COVERED);

  v1::LiftSanctionRequest lift;
  lift.set_name(s1.name());
  lift.set_reason("复核后撤销");
  lift.set_version(s1.version());
  v1::Sanction lifted;
  EXPECT_EQ(stub_->LiftSanction(As(Service()).get(), lift, &lifted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->LiftSanction(As(City()).get(), lift, &lifted).ok());
  EXPECT_TRUE(lifted.lifted());
  EXPECT_EQ(stub_->LiftSanction(As(City()).get(), lift, &lifted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RegistryTest, CountyFilingCreatesTheCountyDirectoryForItsDivisionOnly) {
  v1::Institution created;
  const std::string code = "91330305MA7P8Q9R5D";
  ASSERT_TRUE(Create(Profile(code, "330305"), "req-county", &created).ok());
  v1::FileCountyListRequest req;
  req.set_request_id("file-1");
  auto* f = req.mutable_filing();
  f->set_year(2033);
  f->set_division_code("330305");
  f->set_selection_criteria("洞头区智能化技改服务机构遴选标准");
  auto* item = f->add_items();
  item->set_credit_code(code);
  item->add_directions(common::v1::TRAINING);
  v1::CountyFiling filed;
  EXPECT_EQ(stub_->FileCountyList(As(County("330302")).get(), req, &filed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // R4.2: every institution on the list is registered; two that are not are both named, and
  // nothing is written (no filing, no county entry).
  const std::string ghost_a = "91330305MA7P8Q9R6G", ghost_b = "91330305MA7P8Q9R7K";
  v1::FileCountyListRequest ghosts = req;
  ghosts.set_request_id("file-ghosts");
  for (const auto& g : {ghost_a, ghost_b}) {
    auto* extra = ghosts.mutable_filing()->add_items();
    extra->set_credit_code(g);
    extra->add_directions(common::v1::CONSULTING);
  }
  grpc::Status refused = stub_->FileCountyList(As(County("330305")).get(), ghosts, &filed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(refused), "INSTITUTION_NOT_REGISTERED");
  EXPECT_NE(refused.error_message().find(ghost_a), std::string::npos) << refused.error_message();
  EXPECT_NE(refused.error_message().find(ghost_b), std::string::npos) << refused.error_message();
  EXPECT_EQ(refused.error_message().find(code), std::string::npos) << "the registered one is fine";
  EXPECT_EQ(db_->Count("registry", "county_filings", "year = 2033"), 0);
  EXPECT_EQ(db_->Count("registry", "directory_entries", "year = 2033"), 0);
  ASSERT_TRUE(stub_->FileCountyList(As(County("330305")).get(), req, &filed).ok());
  v1::ListDirectoryEntriesRequest list;
  list.set_year(2033);
  list.set_level(common::v1::COUNTY);
  v1::ListDirectoryEntriesResponse page;
  ASSERT_TRUE(stub_->ListDirectoryEntries(As(Principal::Anonymous()).get(), list, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).division_code(), "330305");
  v1::ListCountyFilingsRequest lf;
  lf.set_year(2033);
  v1::ListCountyFilingsResponse filings;
  ASSERT_TRUE(stub_->ListCountyFilings(As(Principal::Anonymous()).get(), lf, &filings).ok());
  ASSERT_EQ(filings.filings_size(), 1);
  EXPECT_TRUE(filings.filings(0).filed_by().empty());
}

TEST_F(RegistryTest, ListsPageThroughEverythingAndRefuseHugePages) {
  v1::Institution created;
  grpc::Status made = Create(Profile(kCode), "req-paging", &created);
  ASSERT_TRUE(made.ok() || made.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  for (int i = 0; i < 5; ++i) {
    v1::AdmitToDirectoryRequest admit;
    admit.set_command_id(absl::StrCat("page-", i));
    admit.set_year(2034);
    admit.set_level(common::v1::CITY);
    admit.set_credit_code(kCode);
    admit.set_direction(i % 2 ? common::v1::TRAINING : common::v1::CONSULTING);
    if (i >= 2) {
      admit.set_level(common::v1::COUNTY);
      admit.set_division_code(i == 2 ? "330302" : i == 3 ? "330303" : "330304");
    }
    v1::DirectoryEntry e;
    ASSERT_TRUE(stub_->AdmitToDirectory(As(City()).get(), admit, &e).ok());
  }
  v1::ListDirectoryEntriesRequest list;
  list.set_year(2034);
  list.set_page_size(2);
  std::set<std::string> seen;
  int pages = 0;
  do {
    v1::ListDirectoryEntriesResponse page;
    ASSERT_TRUE(stub_->ListDirectoryEntries(As(City()).get(), list, &page).ok());
    for (const auto& e : page.entries()) seen.insert(e.name());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);
  list.set_page_size(1001);
  v1::ListDirectoryEntriesResponse page;
  EXPECT_EQ(stub_->ListDirectoryEntries(As(City()).get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  list.set_page_size(-1);
  EXPECT_EQ(stub_->ListDirectoryEntries(As(City()).get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  list.set_page_size(10);
  list.set_page_token("not-a-token");
  EXPECT_EQ(stub_->ListDirectoryEntries(As(City()).get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RegistryTest, EveryWriteLeavesAnAuditRow) {
  int64_t before = Count("audit_log");
  v1::Institution created;
  ASSERT_TRUE(Create(Profile("913303293141592686", "330329"), "req-audit", &created).ok());
  EXPECT_EQ(Count("audit_log"), before + 1);
  EXPECT_EQ(Count("audit_log", "actor = 'city-1' AND method LIKE '%CreateInstitution'"),
            Count("institution_revisions", "actor = 'city-1' AND version = 1"));
}

}  // namespace
}  // namespace zhigai::registry

namespace zhigai::registry {
namespace {

// Two replicas share one database, each with its own cache fed by a notification listener:
// a change made through one is seen by the other once the notice arrives, and immediately by
// the replica that made it.
TEST(RegistryCacheAcrossReplicas, AChangeOnOneReplicaReachesTheOthersCache) {
  auto db = db::testing::TestDatabase::Create();
  std::string conninfo = db->ServiceConninfo("registry");
  db::Pool pool_a({conninfo, 2}), pool_b({conninfo, 2});
  ASSERT_TRUE(server::Migrate(pool_a, "registry", migrations::Registry()).ok());
  RegistryCache cache_a, cache_b;
  auto listen = [&](RegistryCache& cache) {
    return std::make_unique<db::NotificationListener>(
        conninfo, "registry_changes", [&cache](const std::string& c) { cache.Invalidate(c); },
        [&cache](bool connected) {
          if (!connected) cache.SetEnabled(false);
          cache.InvalidateAll();
          if (connected) cache.SetEnabled(true);
        });
  };
  auto la = listen(cache_a), lb = listen(cache_b);
  la->Start();
  lb->Start();
  for (int i = 0; i < 100 && !(cache_a.enabled() && cache_b.enabled()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(cache_a.enabled() && cache_b.enabled());
  auto clock = [] { return absl::Now(); };
  RegistryStore a(pool_a, clock, &cache_a), b(pool_b, clock, &cache_b);
  Change change{{"u", "CITY_BUREAU", "r"}, "/test/Create"};
  v1::Institution in;
  in.set_credit_code("91330302123456788P");
  in.set_display_name("甲");
  ASSERT_TRUE(a.CreateInstitution(change, "k1", in).ok());
  ASSERT_EQ(b.GetInstitution(in.credit_code())->display_name(), "甲");
  // A read that races with the creation's own notice is not cached; once it has passed, it is.
  for (int i = 0; i < 100 && !cache_b.Profile(in.credit_code()).has_value(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    (void)b.GetInstitution(in.credit_code());
  }
  ASSERT_TRUE(cache_b.Profile(in.credit_code()).has_value());

  auto updated = a.UpdateInstitution(change, in.credit_code(), 1, [](const v1::Institution& cur) {
    v1::Institution next = cur;
    next.set_display_name("乙");
    return absl::StatusOr<v1::Institution>(next);
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(a.GetInstitution(in.credit_code())->display_name(), "乙");  // read-your-writes
  std::string seen;
  for (int i = 0; i < 100; ++i) {
    seen = b.GetInstitution(in.credit_code())->display_name();
    if (seen == "乙") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(seen, "乙");
  la->Stop();
  lb->Stop();
}

}  // namespace
}  // namespace zhigai::registry
