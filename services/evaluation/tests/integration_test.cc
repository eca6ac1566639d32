// The evaluation service on real PostgreSQL and real in-process gRPC, pulling from in-process
// stand-ins of the four source services (fake_sources.h). Each test uses its own year, so
// every test is independent of the others.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/auth/principal.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "libs/wire/typed_time.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/domain/testing/rules.h"
#include "services/evaluation/handlers.h"
#include "services/evaluation/tests/fake_sources.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

namespace zhigai::evaluation {
namespace {

using auth::Principal;
using auth::Role;
using common::v1::CONSULTING;
using common::v1::TRAINING;
using testing::Code;
using testing::FakeSources;
using testing::kProof;

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal County() { return {Role::kCountyBureau, "county-1", "", "330302"}; }
Principal Inst(const std::string& code) { return {Role::kInstitution, "inst-" + code, code, ""}; }
Principal Public() { return Principal::Anonymous(); }

// Version 1 from data/score-rules.tsv and a fictitious version 2 in force from 2060 with other
// S3 bands, added as a revision of the measures would add one: as data (issue 26).
const std::vector<ScoreRules>& RulesWithAVersion2() {
  static const std::vector<ScoreRules>* rules = [] {
    std::string text = "version\tparameter\tvalue\tsource\n";
    std::string v2;
    std::ifstream in(std::string(ZHIGAI_DATA_DIR) + "/score-rules.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      absl::StrAppend(&text, line, "\n");
      std::vector<std::string> f = absl::StrSplit(line, '\t');
      if (f.size() != 4 || f[0] != "1") continue;
      if (f[1] == "effective_from") f[2] = "2060-01-01";
      if (f[1] == "s3.bands") f[2] = "<50:0 <=70:10 <=85:20 else:30";
      absl::StrAppend(&v2, "2\t", f[1], "\t", f[2], "\tfictitious revision for the test\n");
    }
    auto parsed = ParseScoreRules(text + v2, "score-rules.tsv with a version 2");
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status();
      return new std::vector<ScoreRules>(TestRules());
    }
    return new std::vector<ScoreRules>(std::move(*parsed));
  }();
  return *rules;
}

class EvaluationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = db::testing::TestDatabase::Create();
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("evaluation"), 4});
    ASSERT_TRUE(server::Migrate(*pool_, "evaluation", migrations::Evaluation()).ok());
    fakes_ = std::make_unique<FakeSources>();
    std::string a = fakes_->address();
    sources_ =
        std::make_unique<GrpcMetricSources>(SourceAddresses{a, a, a, a}, kProof, absl::Seconds(10));
    store_ = std::make_unique<EvaluationStore>(*pool_, [] { return absl::Now(); });
    handlers_ =
        std::make_unique<EvaluationHandlers>(*store_, *sources_, RulesWithAVersion2(), kProof);
    int port = 0;
    server_ = std::make_unique<server::ServerPtr>(
        server::StartServer({handlers_.get()}, "127.0.0.1:0", nullptr, &port));
    stub_ = v1::EvaluationService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    (*server_)->Shutdown();
    stub_.reset();
    server_.reset();
    handlers_.reset();
    store_.reset();
    sources_.reset();
    fakes_.reset();
    pool_.reset();
    db_.reset();
  }

  static std::unique_ptr<grpc::ClientContext> As(const Principal& p) {
    return server::testing::ContextAs(p, kProof, std::chrono::seconds(30));
  }

  static int64_t Count(const std::string& table, const std::string& where = "true") {
    return db_->Count("evaluation", table, where);
  }

  static std::string Round(int year) { return RoundName(year); }

  static v1::Round Create(int year, bool previous = false) {
    v1::CreateRoundRequest req;
    req.set_year(year);
    req.set_include_previous_directory(previous);
    req.set_request_id(absl::StrCat("create-", year));
    v1::Round out;
    grpc::Status s = stub_->CreateRound(As(City()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static grpc::Status Pull(int year, v1::Snapshot* out) {
    v1::PullMetricsRequest req;
    req.set_round(Round(year));
    return stub_->PullMetrics(As(City()).get(), req, out);
  }

  static v1::Round Get(int year) {
    v1::GetRoundRequest req;
    req.set_name(Round(year));
    v1::Round out;
    EXPECT_TRUE(stub_->GetRound(As(City()).get(), req, &out).ok());
    return out;
  }

  static grpc::Status Freeze(int year, v1::Round* out) {
    v1::FreezeSnapshotRequest req;
    req.set_round(Round(year));
    req.set_version(Get(year).version());
    return stub_->FreezeSnapshot(As(City()).get(), req, out);
  }

  static grpc::Status Defence(int year, std::vector<std::pair<std::string, std::vector<int64_t>>> e,
                              v1::Round* out) {
    v1::RecordDefenceScoresRequest req;
    req.set_round(Round(year));
    for (auto& [code, scores] : e) {
      auto* entry = req.add_entries();
      entry->set_credit_code(code);
      for (int64_t s : scores) entry->add_member_scores_hundredths(s);
    }
    return stub_->RecordDefenceScores(As(City()).get(), req, out);
  }

  static grpc::Status Rank(int year, v1::Round* out) {
    v1::ComputeRankingRequest req;
    req.set_round(Round(year));
    req.set_version(Get(year).version());
    return stub_->ComputeRanking(As(City()).get(), req, out);
  }

  static grpc::Status Publish(int year, v1::Round* out) {
    v1::PublishRoundRequest req;
    req.set_round(Round(year));
    req.set_version(Get(year).version());
    return stub_->PublishRound(As(City()).get(), req, out);
  }

  static grpc::Status Sheet(int year, const std::string& code, const Principal& p,
                            v1::ScoreSheet* out) {
    v1::GetScoreSheetRequest req;
    req.set_name(SheetName(year, code));
    return stub_->GetScoreSheet(As(p).get(), req, out);
  }

  static grpc::Status Ranking(int year, const Principal& p, v1::ListRankingResponse* out,
                              bool excellent_only = false, int page_size = 0,
                              const std::string& token = "") {
    v1::ListRankingRequest req;
    req.set_parent(Round(year));
    req.set_excellent_only(excellent_only);
    req.set_page_size(page_size);
    req.set_page_token(token);
    return stub_->ListRanking(As(p).get(), req, out);
  }

  static grpc::Status Export(int year, const Principal& p, v1::ExportFormat format,
                             v1::ExportContent content, std::string* body) {
    v1::ExportScoreSheetsRequest req;
    req.set_round(Round(year));
    req.set_format(format);
    req.set_content(content);
    auto ctx = As(p);
    auto reader = stub_->ExportScoreSheets(ctx.get(), req);
    v1::ExportChunk chunk;
    body->clear();
    int64_t total = -1;
    while (reader->Read(&chunk)) {
      if (total < 0) total = chunk.total_bytes();
      body->append(chunk.data());
    }
    grpc::Status s = reader->Finish();
    if (s.ok()) {
      EXPECT_EQ(total, static_cast<int64_t>(body->size()));
    }
    return s;
  }

  // The hand-computed round of `year` (projects and ratings of year−1, tests of year):
  //  A: S1.1 5×1 + 4×2 = 13; S1.2 9/10 = 90% → 8; S1.3 (8.5 + 9)/2 = 8.75; S2.1 (2×10 + 8 + 5)/4
  //     = 8.25; S2.2 (10 + 8)/2 = 9; S3 (85.5 + 90.5)/2 = 88 → 25. Total 72.00.
  //  B: S1.1 20 + 20 = 40 → 30; S1.2 30/30 → 10; no test, no rating → 0; S3 95 → 30. Total 70.
  //  E: as B with 1 verified complaint in year−1 → below B by the complaints tie-break.
  //  D: S1.1 1; S1.2 1/2 = 50% → 2; S1.3 unexcused absence 0/100 → 0; S2 one "unsatisfied"
  //     each → 0; did not defend → 0. Total 3.00.
  //  C: barred (R14.5) in year: scored, not ranked. F: cancelled (R14.4), a lifted bar ignored.
  //  G: REMOVED from the directory → out of scope. A appears twice (both directions).
  struct Cast {
    std::string a, b, c, d, e, f, g;
  };
  static Cast SeedHandComputed(int year, const char* tag) {
    Cast k{Code(tag, 1), Code(tag, 2), Code(tag, 3), Code(tag, 4),
           Code(tag, 5), Code(tag, 6), Code(tag, 7)};
    FakeSources& f = *fakes_;
    f.AddEntry(year, k.a, "甲机构", CONSULTING);
    f.AddEntry(year, k.a, "甲机构", TRAINING);
    f.AddEntry(year, k.b, "乙机构", CONSULTING);
    f.AddEntry(year, k.c, "丙机构", CONSULTING);
    f.AddEntry(year, k.d, "丁机构", TRAINING);
    f.AddEntry(year, k.e, "戊机构", CONSULTING);
    f.AddEntry(year, k.f, "己机构", CONSULTING, registry::v1::SUSPENDED);
    f.AddEntry(year, k.g, "庚机构", CONSULTING, registry::v1::REMOVED);
    f.AddSanction(year, k.c, registry::v1::BAR);
    f.AddSanction(year, k.f, registry::v1::BAR, /*lifted=*/true);
    f.AddSanction(year, k.f, registry::v1::CANCEL);
    f.SetProjects(year - 1, k.a, 6, 4, 5, 4);
    f.AddCountsUsed(year - 1, k.a, common::v1::DIAGNOSIS, 7, "");
    f.AddCountsUsed(year - 1, k.a, common::v1::SOLUTION_DESIGN, 0, "2039-12-31T16:00:00Z");
    f.SetTests(year, k.a, {{8500, 10000}, {4500, 5000}});
    f.SetFeedback(year - 1, k.a, {2, 1, 1, 0}, {1, 1, 0, 0}, 0);
    f.SetProjects(year - 1, k.b, 20, 10, 20, 10);
    f.SetProjects(year - 1, k.e, 20, 10, 20, 10);
    f.SetFeedback(year - 1, k.e, {}, {}, 1, 0);
    f.SetProjects(year - 1, k.d, 2, 0, 1, 0);
    f.SetTests(year, k.d, {{-1, 10000}});
    f.SetFeedback(year - 1, k.d, {0, 0, 0, 1}, {0, 0, 0, 1}, 0);
    f.SetProjects(year - 1, k.c, 0, 0, 0, 0);
    return k;
  }

  // Through ranking: pull, freeze, defence for everyone to rank.
  static Cast RankHandComputed(int year, const char* tag) {
    Cast k = SeedHandComputed(year, tag);
    Create(year);
    v1::Snapshot snap;
    EXPECT_TRUE(Pull(year, &snap).ok());
    v1::Round r;
    EXPECT_TRUE(Freeze(year, &r).ok());
    EXPECT_TRUE(
        Defence(year, {{k.a, {8550, 9050}}, {k.b, {9500}}, {k.e, {9500}}, {k.d, {}}}, &r).ok());
    grpc::Status s = Rank(year, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return k;
  }

  static inline std::unique_ptr<db::testing::TestDatabase> db_;
  static inline std::unique_ptr<db::Pool> pool_;
  static inline std::unique_ptr<FakeSources> fakes_;
  static inline std::unique_ptr<GrpcMetricSources> sources_;
  static inline std::unique_ptr<EvaluationStore> store_;
  static inline std::unique_ptr<EvaluationHandlers> handlers_;
  static inline std::unique_ptr<server::ServerPtr> server_;
  static inline std::unique_ptr<v1::EvaluationService::Stub> stub_;
};

TEST_F(EvaluationTest, CreateRoundStoresBothYearsOncePerYearAndIsIdempotent) {
  v1::Round r = Create(2031, true);
  EXPECT_EQ(r.name(), "evaluationRounds/2031");
  EXPECT_EQ(r.projects_year(), 2030);
  EXPECT_EQ(r.tests_year(), 2031);
  EXPECT_TRUE(r.include_previous_directory());
  EXPECT_EQ(r.state(), v1::OPEN);
  EXPECT_EQ(r.version(), 1);
  v1::Round again = Create(2031, true);  // same request_id: the first answer
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
  v1::CreateRoundRequest req;
  req.set_year(2031);
  req.set_request_id("another");
  v1::Round out;
  grpc::Status s = stub_->CreateRound(As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_EXISTS");
  EXPECT_EQ(Count("audit_log", "entity_id = '2031'"), 1);
}

TEST_F(EvaluationTest, CreateRoundValidatesAndOnlyTheCityBureauOpensARound) {
  v1::CreateRoundRequest req;
  req.set_year(1999);
  v1::Round out;
  grpc::Status s = stub_->CreateRound(As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(server::testing::FieldsOf(s), (std::vector<std::string>{"year", "request_id"}));
  req.set_year(2032);
  req.set_request_id("x");
  s = stub_->CreateRound(As(County()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = stub_->CreateRound(As(Inst(Code("AA", 1))).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("rounds", "year = 2032"), 0);
}

TEST_F(EvaluationTest, PullStoresTheScopedSnapshotWithOneBatchCallPerSource) {
  const int year = 2033;
  Cast k = SeedHandComputed(year, "AB");
  Create(year);
  int tracking0 = fakes_->Calls("BatchGetProjectMetrics");
  int training0 = fakes_->Calls("BatchGetTestScores");
  int feedback0 = fakes_->Calls("BatchGetFeedbackMetrics");
  v1::Snapshot snap;
  grpc::Status s = Pull(year, &snap);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(fakes_->Calls("BatchGetProjectMetrics") - tracking0, 1);
  EXPECT_EQ(fakes_->Calls("BatchGetTestScores") - training0, 1);
  EXPECT_EQ(fakes_->Calls("BatchGetFeedbackMetrics") - feedback0, 1);
  // A (twice in the directory), B, C, D, E and the suspended F; not the removed G.
  EXPECT_EQ(snap.institution_count(), 6);
  EXPECT_EQ(snap.barred_count(), 1);
  EXPECT_EQ(snap.cancelled_count(), 1);
  EXPECT_FALSE(snap.frozen());
  EXPECT_TRUE(snap.has_pull_time());
  ASSERT_EQ(snap.sources_size(), 4);
  std::map<std::string, v1::SourcePull> by;
  for (const auto& p : snap.sources()) by[p.source()] = p;
  EXPECT_EQ(by["tracking"].year(), year - 1);
  EXPECT_EQ(by["tracking"].intake_mode(), "RECORDS");
  EXPECT_EQ(by["tracking"].source_revision(), absl::StrCat("records:", year - 1, ":0"));
  EXPECT_EQ(by["tracking"].as_of(), wire::testing::T("2030-01-02T03:04:05Z"));
  EXPECT_EQ(by["training"].year(), year);
  EXPECT_EQ(by["feedback"].year(), year - 1);
  EXPECT_EQ(by["registry"].institutions(), 6);
  EXPECT_EQ(Count("snapshot_institutions",
                  absl::StrCat("year = ", year, " AND credit_code = '", k.g, "'")),
            0);
  EXPECT_EQ(Count("snapshot_institutions",
                  absl::StrCat("year = ", year, " AND credit_code = '", k.a,
                               "' AND declared_diagnosis = 6 AND approved_solution_design = 4"
                               " AND content_very = 2 AND result_fairly = 1")),
            1);
  EXPECT_EQ(
      Count("snapshot_tests", absl::StrCat("year = ", year, " AND credit_code = '", k.a, "'")), 2);
  EXPECT_EQ(Count("snapshot_institutions",
                  absl::StrCat("year = ", year, " AND credit_code = '", k.f,
                               "' AND exclusion = 'CANCELLED' AND exclusion_source <> ''")),
            1);
  EXPECT_EQ(Get(year).institution_count(), 6);
  EXPECT_EQ(Get(year).defence_missing_count(), 4);  // A, B, D, E; not the barred or cancelled
}

TEST_F(EvaluationTest, PullAgainBeforeFreezeReplacesAndAfterFreezeNeverChanges) {
  const int year = 2034;
  Cast k = SeedHandComputed(year, "AC");
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());
  fakes_->SetProjects(year - 1, k.b, 3, 0, 3, 0);  // the source changed
  fakes_->AddEntry(year, Code("AC", 8), "辛机构", CONSULTING);
  ASSERT_TRUE(Pull(year, &snap).ok());
  EXPECT_EQ(snap.institution_count(), 7);
  EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year, " AND credit_code = '",
                                                        k.b, "' AND declared_diagnosis = 3")),
            1);
  v1::Round r;
  ASSERT_TRUE(Freeze(year, &r).ok());
  EXPECT_EQ(r.state(), v1::METRICS_FROZEN);
  EXPECT_TRUE(r.has_freeze_time());
  fakes_->SetProjects(year - 1, k.b, 9, 0, 9, 0);
  grpc::Status s = Pull(year, &snap);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "SNAPSHOT_FROZEN");
  EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year, " AND credit_code = '",
                                                        k.b, "' AND declared_diagnosis = 3")),
            1);
  v1::GetSnapshotRequest get;
  get.set_round(Round(year));
  ASSERT_TRUE(stub_->GetSnapshot(As(City()).get(), get, &snap).ok());
  EXPECT_TRUE(snap.frozen());
  EXPECT_EQ(snap.institution_count(), 7);
  // Freezing twice is refused too.
  s = Freeze(year, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_OPEN");
}

TEST_F(EvaluationTest, ASourceThatIsDownFailsThePullNamingItAndNothingIsStored) {
  const int year = 2035;
  Cast k = SeedHandComputed(year, "AD");
  Create(year);
  v1::Snapshot first;
  ASSERT_TRUE(Pull(year, &first).ok());
  int64_t version = Get(year).version();
  fakes_->SetProjects(year - 1, k.b, 3, 0, 3, 0);  // would change the snapshot
  for (const char* source : {"tracking", "training", "feedback", "registry"}) {
    SCOPED_TRACE(source);
    fakes_->SetDown(source, true);
    v1::Snapshot snap;
    grpc::Status s = Pull(year, &snap);
    fakes_->SetDown(source, false);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    std::string upper = source;
    for (char& c : upper) c = static_cast<char>(toupper(c));
    EXPECT_EQ(server::testing::ReasonOf(s), upper + "_UNAVAILABLE");
    EXPECT_NE(s.error_message().find(source), std::string::npos) << s.error_message();
    EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year, " AND credit_code = '",
                                                          k.b, "' AND declared_diagnosis = 20")),
              1);
    EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year)), 6);
    EXPECT_EQ(Get(year).version(), version);
    EXPECT_EQ(Get(year).pull_time(), first.pull_time());
  }
}

TEST_F(EvaluationTest, AnUnreachableSourceIsUnavailableAndTheFirstPullStoresNothing) {
  const int year = 2036;
  SeedHandComputed(year, "AE");
  Create(year);
  // A second service whose training address has nobody listening.
  GrpcMetricSources sources(
      {fakes_->address(), fakes_->address(), "127.0.0.1:1", fakes_->address()}, kProof,
      absl::Seconds(5));
  EvaluationHandlers handlers(*store_, sources, TestRules(), kProof);
  int port = 0;
  auto server = server::StartServer({&handlers}, "127.0.0.1:0", nullptr, &port);
  auto stub = v1::EvaluationService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::PullMetricsRequest req;
  req.set_round(Round(year));
  v1::Snapshot snap;
  grpc::Status s = stub->PullMetrics(As(City()).get(), req, &snap);
  server->Shutdown();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server::testing::ReasonOf(s), "TRAINING_UNAVAILABLE");
  EXPECT_NE(s.error_message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year)), 0);
  EXPECT_EQ(Count("snapshot_sources", absl::StrCat("year = ", year)), 0);
  EXPECT_FALSE(Get(year).has_pull_time());
}

TEST_F(EvaluationTest, FiguresThatCannotBeScoredAreNotStored) {
  const int year = 2037;
  const std::string a = Code("AF", 1);
  fakes_->AddEntry(year, a, "甲", CONSULTING);
  fakes_->SetProjects(year - 1, a, 1, 0, 2, 0);  // approved above declared
  Create(year);
  v1::Snapshot snap;
  grpc::Status s = Pull(year, &snap);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "SOURCE_DATA_INVALID");
  EXPECT_NE(s.error_message().find(a), std::string::npos);
  EXPECT_EQ(Count("snapshot_institutions", absl::StrCat("year = ", year)), 0);
}

TEST_F(EvaluationTest, FreezeWaitsForPendingExcusesAndANonEmptyScope) {
  const int year = 2038;
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());  // nobody in the directory
  v1::Round r;
  grpc::Status s = Freeze(year, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "NO_INSTITUTIONS_IN_SCOPE");
  const std::string a = Code("AG", 1);
  fakes_->AddEntry(year, a, "甲", CONSULTING);
  fakes_->SetTests(year, a, {{-1, 10000}}, /*excuses_pending=*/1);
  ASSERT_TRUE(Pull(year, &snap).ok());
  EXPECT_EQ(snap.excuses_pending(), 1);
  s = Freeze(year, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "EXCUSES_PENDING");
  fakes_->SetTests(year, a, {{-1, 10000}}, 0);  // the bureau decided: rejected
  ASSERT_TRUE(Pull(year, &snap).ok());
  ASSERT_TRUE(Freeze(year, &r).ok());
  // Publishing before ranking is refused.
  v1::PublishRoundRequest pub;
  pub.set_round(Round(year));
  pub.set_version(1);
  s = stub_->PublishRound(As(City()).get(), pub, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_RANKED");
}

TEST_F(EvaluationTest, TheDefenceIsValidatedAndCompletesTheStateOnlyWhenEveryoneHasAnEntry) {
  const int year = 2039;
  Cast k = SeedHandComputed(year, "AH");
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());
  v1::Round r;
  grpc::Status s = Defence(year, {{k.a, {9000}}}, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "METRICS_NOT_FROZEN");
  ASSERT_TRUE(Freeze(year, &r).ok());
  s = Defence(year, {{k.a, {10001, -1}}, {k.a, {}}, {"bad", {}}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(server::testing::FieldsOf(s),
            (std::vector<std::string>{"entries[0].member_scores_hundredths[0]",
                                      "entries[0].member_scores_hundredths[1]",
                                      "entries[1].credit_code", "entries[2].credit_code"}));
  s = Defence(year, {{k.g, {9000}}}, &r);  // removed from the directory: not in the round
  EXPECT_EQ(server::testing::ReasonOf(s), "INSTITUTION_NOT_IN_ROUND");
  EXPECT_EQ(Count("defence_scores", absl::StrCat("year = ", year)), 0);
  ASSERT_TRUE(Defence(year, {{k.a, {9000}}, {k.b, {8000}}}, &r).ok());
  EXPECT_EQ(r.state(), v1::METRICS_FROZEN);
  EXPECT_EQ(r.defence_missing_count(), 2);
  s = Rank(year, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "DEFENCE_NOT_SCORED");
  ASSERT_TRUE(Defence(year, {{k.d, {}}, {k.e, {7000}}}, &r).ok());
  EXPECT_EQ(r.state(), v1::DEFENCE_SCORED);
  EXPECT_EQ(r.defence_missing_count(), 0);
  // Corrections are taken until the ranking (replacing the institution's scores).
  ASSERT_TRUE(Defence(year, {{k.a, {8550, 9050}}}, &r).ok());
  EXPECT_EQ(r.state(), v1::DEFENCE_SCORED);
  EXPECT_EQ(Count("defence_scores", absl::StrCat("year = ", year, " AND credit_code = '", k.a,
                                                 "' AND member_scores_hundredths = '{8550,9050}'")),
            1);
  // A stale version is refused without ranking.
  v1::ComputeRankingRequest rank;
  rank.set_round(Round(year));
  rank.set_version(r.version() - 1);
  s = stub_->ComputeRanking(As(City()).get(), rank, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Count("score_sheets", absl::StrCat("year = ", year)), 0);
  ASSERT_TRUE(Rank(year, &r).ok());
  s = Defence(year, {{k.a, {9000}}}, &r);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_ALREADY_RANKED");
}

TEST_F(EvaluationTest, SnapshotToSheetToRankingGivesTheHandComputedValues) {
  const int year = 2040;
  Cast k = RankHandComputed(year, "AJ");
  EXPECT_EQ(Get(year).state(), v1::RANKED);
  v1::ScoreSheet a;
  ASSERT_TRUE(Sheet(year, k.a, City(), &a).ok());
  EXPECT_EQ(a.display_name(), "甲机构");
  ASSERT_EQ(a.items_size(), 6);
  const char* points[] = {"13.00", "8.00", "8.75", "8.25", "9.00", "25.00"};
  const char* exact[] = {"13", "8", "35/4", "33/4", "9", "25"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(a.items(i).points(), points[i]) << a.items(i).id();
    EXPECT_EQ(a.items(i).points_exact(), exact[i]) << a.items(i).id();
  }
  EXPECT_EQ(a.items(0).inputs(), "diagnosis=5; solution_design=4");
  // Issue 21 item 11: the sheet names the data state and the platform rows behind S1.1/S1.2.
  EXPECT_EQ(a.project_source(), absl::StrCat("records:", year - 1,
                                             ":0; DIAGNOSIS revision 7; SOLUTION_DESIGN as of "
                                             "2039-12-31T16:00:00Z"));
  EXPECT_EQ(a.items(1).inputs(), "approved=9; declared=10");
  EXPECT_EQ(a.s1(), "29.75");
  EXPECT_EQ(a.s2(), "17.25");
  EXPECT_EQ(a.s3(), "25.00");
  EXPECT_EQ(a.total(), "72.00");
  EXPECT_EQ(a.rank(), 1);
  EXPECT_TRUE(a.excellent());

  v1::ListRankingResponse ranking;
  ASSERT_TRUE(Ranking(year, City(), &ranking).ok());
  ASSERT_EQ(ranking.entries_size(), 6);
  struct Expected {
    std::string code;
    int rank;
    const char* total;
    const char* decided_by;
    const char* exclusion;
  };
  const Expected want[] = {
      {k.a, 1, "72.00", "FIRST", ""},
      {k.b, 2, "70.00", "TOTAL", ""},
      {k.e, 3, "70.00", "COMPLAINTS", ""},
      {k.d, 4, "3.00", "TOTAL", ""},
      // Not ranked, by credit code: C (barred) before F (cancelled).
      {k.c, 0, "0.00", "", "R14.5"},
      {k.f, 0, "0.00", "", "R14.4"},
  };
  for (int i = 0; i < 6; ++i) {
    const auto& e = ranking.entries(i);
    SCOPED_TRACE(i);
    EXPECT_EQ(e.credit_code(), want[i].code);
    EXPECT_EQ(e.rank(), want[i].rank);
    EXPECT_EQ(e.total(), want[i].total);
    EXPECT_EQ(e.decided_by(), want[i].decided_by);
    EXPECT_EQ(e.exclusion().rule(), want[i].exclusion);
    EXPECT_EQ(e.excellent(), want[i].rank > 0);
  }
  EXPECT_EQ(ranking.entries(2).verified_complaints(), 1);
  v1::ScoreSheet d;
  ASSERT_TRUE(Sheet(year, k.d, County(), &d).ok());
  EXPECT_EQ(d.items(1).points(), "2.00");
  EXPECT_EQ(d.items(2).points(), "0.00");
  EXPECT_EQ(d.items(5).inputs(), "no panel score");

  // Paging through the ranking, two at a time, gives the same order; excellent_only stops at D.
  std::vector<std::string> paged;
  std::string token;
  do {
    v1::ListRankingResponse page;
    ASSERT_TRUE(Ranking(year, City(), &page, false, 2, token).ok());
    for (const auto& e : page.entries()) paged.push_back(e.credit_code());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(paged, (std::vector<std::string>{k.a, k.b, k.e, k.d, k.c, k.f}));
  v1::ListRankingResponse excellent;
  ASSERT_TRUE(Ranking(year, City(), &excellent, true).ok());
  EXPECT_EQ(excellent.entries_size(), 4);

  v1::ListScoreSheetsRequest list;
  list.set_parent(Round(year));
  v1::ListScoreSheetsResponse sheets;
  ASSERT_TRUE(stub_->ListScoreSheets(As(County()).get(), list, &sheets).ok());
  ASSERT_EQ(sheets.score_sheets_size(), 6);
  EXPECT_EQ(sheets.score_sheets(0).credit_code(), k.a);  // by credit code
}

TEST_F(EvaluationTest, ReplayFromTheSnapshotGivesByteIdenticalSheets) {
  const int year = 2041;
  RankHandComputed(year, "AK");
  std::string csv, json, ranking_json;
  ASSERT_TRUE(Export(year, City(), v1::CSV, v1::SCORE_SHEETS, &csv).ok());
  ASSERT_TRUE(Export(year, City(), v1::JSON, v1::SCORE_SHEETS, &json).ok());
  ASSERT_TRUE(Export(year, City(), v1::JSON, v1::RANKING, &ranking_json).ok());
  EXPECT_EQ(csv.substr(0, 12), "credit_code,");
  EXPECT_EQ(json.substr(0, 16), "{\"score_sheets\":");
  // Recompute from what the store holds (snapshot + defence) and compare byte for byte.
  auto inputs = store_->LoadInputs(year);
  ASSERT_TRUE(inputs.ok()) << inputs.status();
  auto replay = ComputeRound(year, inputs->inputs, TestRulesV1());
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*ExportSheets(inputs->inputs, TestRulesV1(), true), csv);
  EXPECT_EQ(*ExportSheets(inputs->inputs, TestRulesV1(), false), json);
  // The ranking export was stored by ComputeRanking: the replay gives the same bytes.
  EXPECT_EQ(replay->ranking_json, ranking_json);
  v1::ListScoreSheetsRequest list;
  list.set_parent(Round(year));
  v1::ListScoreSheetsResponse stored;
  ASSERT_TRUE(stub_->ListScoreSheets(As(City()).get(), list, &stored).ok());
  std::map<std::string, std::string> bytes;
  for (const auto& s : stored.score_sheets()) bytes[s.credit_code()] = s.SerializeAsString();
  ASSERT_EQ(bytes.size(), replay->sheets.size());
  for (const auto& s : replay->sheets) EXPECT_EQ(bytes[s.credit_code()], s.SerializeAsString());
}

TEST_F(EvaluationTest, InstitutionsReadOnlyTheirOwnSheetAndPublicOnlyAfterPublication) {
  const int year = 2042;
  Cast k = RankHandComputed(year, "AL");
  v1::ScoreSheet sheet;
  v1::ListRankingResponse ranking;
  std::string body;
  // Ranked, not published: bureaus only.
  grpc::Status s = Sheet(year, k.a, Inst(k.a), &sheet);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_PUBLISHED");
  s = Ranking(year, Public(), &ranking);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_PUBLISHED");
  s = Export(year, Public(), v1::CSV, v1::RANKING, &body);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_PUBLISHED");
  v1::GetRoundRequest get;
  get.set_name(Round(year));
  v1::Round round;
  EXPECT_EQ(server::testing::ReasonOf(stub_->GetRound(As(Public()).get(), get, &round)),
            "ROUND_NOT_PUBLISHED");

  ASSERT_TRUE(Publish(year, &round).ok());
  EXPECT_EQ(round.state(), v1::PUBLISHED);
  EXPECT_TRUE(round.has_publish_time());
  ASSERT_TRUE(Sheet(year, k.a, Inst(k.a), &sheet).ok());
  EXPECT_EQ(sheet.total(), "72.00");
  s = Sheet(year, k.b, Inst(k.a), &sheet);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server::testing::ReasonOf(s), "NOT_OWN_INSTITUTION");
  s = Sheet(year, k.a, Public(), &sheet);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Ranking(year, Public(), &ranking, true).ok());
  ASSERT_EQ(ranking.entries_size(), 4);
  EXPECT_EQ(ranking.entries(0).credit_code(), k.a);
  EXPECT_EQ(ranking.entries(0).display_name(), "甲机构");
  ASSERT_TRUE(Export(year, Public(), v1::CSV, v1::RANKING, &body).ok());
  EXPECT_EQ(body.substr(0, 5), "rank,");
  s = Export(year, Public(), v1::CSV, v1::SCORE_SHEETS, &body);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Export(year, Inst(k.a), v1::JSON, v1::SCORE_SHEETS, &body);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListScoreSheetsRequest list;
  list.set_parent(Round(year));
  v1::ListScoreSheetsResponse sheets;
  s = stub_->ListScoreSheets(As(Inst(k.a)).get(), list, &sheets);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->GetRound(As(Public()).get(), get, &round).ok());
  // Published is final.
  s = Publish(year, &round);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_ALREADY_PUBLISHED");
  s = Rank(year, &round);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_ALREADY_PUBLISHED");
}

// Issue 28: the defence panel's scores read back member by member, so S3 can be recomputed
// by an auditor; an institution reads its own entry once the round is published.
TEST_F(EvaluationTest, DefenceScoresReadBackMemberByMember) {
  const int year = 2051;
  Cast k = RankHandComputed(year, "AY");
  auto list = [&](const Principal& who, int page_size, const std::string& token,
                  v1::ListDefenceScoresResponse* out) {
    v1::ListDefenceScoresRequest req;
    req.set_parent(Round(year));
    req.set_page_size(page_size);
    req.set_page_token(token);
    out->Clear();
    return stub_->ListDefenceScores(As(who).get(), req, out);
  };
  v1::ListDefenceScoresResponse all;
  ASSERT_TRUE(list(City(), 0, "", &all).ok());
  std::map<std::string, std::vector<int64_t>> got;
  for (const auto& d : all.defences()) {
    got[d.entry().credit_code()] = {d.entry().member_scores_hundredths().begin(),
                                    d.entry().member_scores_hundredths().end()};
    EXPECT_TRUE(d.has_record_time());
  }
  EXPECT_EQ(got, (std::map<std::string, std::vector<int64_t>>{
                     {k.a, {8550, 9050}}, {k.b, {9500}}, {k.e, {9500}}, {k.d, {}}}));
  // Pages by credit code, three then one.
  v1::ListDefenceScoresResponse page;
  ASSERT_TRUE(list(County(), 3, "", &page).ok());
  ASSERT_EQ(page.defences_size(), 3);
  const std::string token = page.next_page_token();
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(list(County(), 3, token, &page).ok());
  EXPECT_EQ(page.defences_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());

  // The institution: not before publication; then its own entry only.
  grpc::Status s = list(Inst(k.a), 0, "", &page);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_PUBLISHED");
  v1::Round round;
  ASSERT_TRUE(Publish(year, &round).ok());
  ASSERT_TRUE(list(Inst(k.a), 0, "", &page).ok());
  ASSERT_EQ(page.defences_size(), 1);
  EXPECT_EQ(page.defences(0).entry().credit_code(), k.a);
  EXPECT_EQ(page.defences(0).entry().member_scores_hundredths_size(), 2);
  EXPECT_EQ(list(Public(), 0, "", &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListDefenceScoresRequest bad;
  bad.set_parent("rounds/x");
  bad.set_page_size(1001);
  EXPECT_EQ(server::testing::FieldsOf(stub_->ListDefenceScores(As(City()).get(), bad, &page)),
            (std::vector<std::string>{"parent", "page_size"}));
}

TEST_F(EvaluationTest, SheetsDoNotExistBeforeRankingAndNamesAreChecked) {
  const int year = 2043;
  Cast k = SeedHandComputed(year, "AM");
  Create(year);
  v1::ScoreSheet sheet;
  grpc::Status s = Sheet(year, k.a, City(), &sheet);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_RANKED");
  v1::GetScoreSheetRequest bad;
  bad.set_name("evaluationRounds/2043/scoreSheets/nope");
  s = stub_->GetScoreSheet(As(City()).get(), bad, &sheet);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetRoundRequest get;
  get.set_name("evaluationRounds/2099");
  v1::Round r;
  EXPECT_EQ(stub_->GetRound(As(City()).get(), get, &r).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name("rounds/2043");
  EXPECT_EQ(stub_->GetRound(As(City()).get(), get, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::Snapshot snap;
  v1::PullMetricsRequest pull;
  pull.set_round(Round(year));
  s = stub_->PullMetrics(As(County()).get(), pull, &snap);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EvaluationTest, ThePreviousYearsDirectoryIsInScopeWhenTheRoundSaysSo) {
  const int year = 2050;  // 2049 is used by no other test
  const std::string now = Code("AN", 1), before = Code("AN", 2);
  fakes_->AddEntry(year, now, "今年", CONSULTING);
  fakes_->AddEntry(year - 1, before, "去年", CONSULTING);
  fakes_->AddEntry(year - 1, now, "旧名", CONSULTING);
  Create(year, /*previous=*/true);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());
  EXPECT_EQ(snap.institution_count(), 2);
  EXPECT_EQ(Count("snapshot_institutions",
                  absl::StrCat("year = ", year, " AND credit_code = '", now,
                               "' AND display_name = '今年' AND directory_years = '{", year - 1,
                               ",", year, "}'")),
            1);
  const int other = 2052;
  fakes_->AddEntry(other, now, "今年", CONSULTING);
  fakes_->AddEntry(other - 1, before, "去年", CONSULTING);
  Create(other, false);
  ASSERT_TRUE(Pull(other, &snap).ok());
  EXPECT_EQ(snap.institution_count(), 1);
}

TEST_F(EvaluationTest, EveryWriteIsAudited) {
  const int year = 2046;
  RankHandComputed(year, "AP");
  v1::Round r;
  ASSERT_TRUE(Publish(year, &r).ok());
  // create, pull, freeze, defence, rank, publish
  EXPECT_EQ(
      Count("audit_log", absl::StrCat("entity = 'evaluation_round' AND entity_id = '", year, "'")),
      6);
  EXPECT_EQ(Count("audit_log", absl::StrCat("entity_id = '", year,
                                            "' AND method LIKE "
                                            "'%PublishRound' AND actor = 'city-1' AND version = ",
                                            r.version())),
            1);
}

// Issue 28: the round's scope (who is in the snapshot and why, who is left out and why) and the
// reads behind each score item can be followed from the published round alone.
TEST_F(EvaluationTest, TheScopeAndTheSourcesOfEachItemAreReadBack) {
  const int year = 2053;
  Cast k = SeedHandComputed(year, "AR");
  const std::string removed_barred = Code("AR", 8);
  fakes_->AddEntry(year, removed_barred, "辛机构", CONSULTING, registry::v1::REMOVED);
  fakes_->AddSanction(year, removed_barred, registry::v1::BAR);
  fakes_->SetProjects(year - 1, removed_barred, 0, 0, 0, 0);
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());

  v1::ListRoundScopeRequest req;
  req.set_parent(absl::StrCat("evaluationRounds/", year));
  v1::ListRoundScopeResponse scope;
  ASSERT_TRUE(stub_->ListRoundScope(As(County()).get(), req, &scope).ok());
  std::map<std::string, v1::ScopeDecision> by_code;
  for (const auto& d : scope.decisions()) by_code[d.credit_code()] = d;
  ASSERT_EQ(by_code.size(), 8u);  // a–g and the removed, barred one
  EXPECT_EQ(by_code[k.a].reason(), "IN_DIRECTORY");
  EXPECT_TRUE(by_code[k.a].in_scope());
  EXPECT_EQ(by_code[k.a].entries_size(), 2);  // both directions
  EXPECT_EQ(by_code[k.f].entries(0).status(), "SUSPENDED");
  EXPECT_TRUE(by_code[k.f].in_scope());
  EXPECT_EQ(by_code[k.g].reason(), "REMOVED_FROM_DIRECTORY");
  EXPECT_FALSE(by_code[k.g].in_scope());
  EXPECT_EQ(by_code[k.g].rule(), "R10.1");
  ASSERT_EQ(by_code[k.g].entries_size(), 1);
  EXPECT_EQ(by_code[k.g].entries(0).status(), "REMOVED");
  EXPECT_EQ(by_code[k.g].entries(0).year(), year);
  EXPECT_FALSE(by_code[k.g].entries(0).name().empty());
  EXPECT_EQ(by_code[removed_barred].reason(), "REMOVED_BUT_SANCTIONED");
  EXPECT_TRUE(by_code[removed_barred].in_scope());
  int in_scope = 0;
  for (const auto& [code, d] : by_code) in_scope += d.in_scope();
  EXPECT_EQ(in_scope, snap.institution_count());

  // Only the left out, paged one at a time.
  req.set_left_out_only(true);
  req.set_page_size(1);
  ASSERT_TRUE(stub_->ListRoundScope(As(City()).get(), req, &scope).ok());
  ASSERT_EQ(scope.decisions_size(), 1);
  EXPECT_EQ(scope.decisions(0).credit_code(), k.g);
  EXPECT_TRUE(scope.next_page_token().empty());
  // Before publication: the public is refused, an institution reads its own line.
  req.set_left_out_only(false);
  req.set_page_size(0);
  EXPECT_EQ(stub_->ListRoundScope(As(Principal::Anonymous()).get(), req, &scope).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ListRoundScope(As(Inst(k.b)).get(), req, &scope).ok());
  ASSERT_EQ(scope.decisions_size(), 1);
  EXPECT_EQ(scope.decisions(0).credit_code(), k.b);

  // The sheets name the reads behind each item and the sanction behind an exclusion.
  v1::Round r;
  ASSERT_TRUE(Freeze(year, &r).ok());
  ASSERT_TRUE(
      Defence(year, {{k.a, {8550, 9050}}, {k.b, {9500}}, {k.e, {9500}}, {k.d, {}}}, &r).ok());
  ASSERT_TRUE(Rank(year, &r).ok());
  v1::ScoreSheet sheet;
  ASSERT_TRUE(Sheet(year, k.a, City(), &sheet).ok());
  ASSERT_EQ(sheet.items_size(), 6);
  const auto& s11 = sheet.items(0).sources();
  ASSERT_EQ(s11.size(), 1);
  // The fake tracking answers in records mode ("records:…"), so the records are the source.
  EXPECT_EQ(s11[0].method(), "zhigai.tracking.v1.TrackingService/ListProjectRecords");
  EXPECT_EQ(s11[0].request_json(),
            absl::StrCat(R"({"year":)", year - 1, R"(,"institutionCreditCode":")", k.a, R"("})"));
  const auto& s13 = sheet.items(2).sources();
  ASSERT_EQ(s13.size(), 3);  // the year's sessions, then a's result at each of its two tests
  EXPECT_EQ(s13[0].method(), "zhigai.training.v1.TrainingService/ListTestSessions");
  EXPECT_EQ(s13[1].method(), "zhigai.training.v1.TrainingService/ListTestResults");
  EXPECT_NE(s13[2].request_json().find(k.a), std::string::npos);
  EXPECT_EQ(sheet.items(3).sources(0).method(), "zhigai.feedback.v1.FeedbackService/ListRatings");
  EXPECT_EQ(
      sheet.items(3).sources(0).request_json(),
      absl::StrCat(R"({"institutionCreditCode":")", k.a, R"(","engagementYear":)", year - 1, "}"));
  EXPECT_EQ(sheet.items(5).sources(0).request_json(),
            absl::StrCat(R"({"parent":"evaluationRounds/)", year, R"("})"));
  EXPECT_TRUE(sheet.exclusion_sanction().empty());
  ASSERT_TRUE(Sheet(year, k.c, City(), &sheet).ok());
  EXPECT_EQ(sheet.exclusion().reason(), "BARRED");
  EXPECT_EQ(sheet.exclusion_sanction().rfind("sanctions/", 0), 0u) << sheet.exclusion_sanction();
  ASSERT_TRUE(Publish(year, &r).ok());
  ASSERT_TRUE(stub_->ListRoundScope(As(Principal::Anonymous()).get(), req, &scope).ok());
  EXPECT_EQ(scope.decisions_size(), 8);
}

// RULES.md S4 (2026-12): a bar or cancellation in force on any day of Y keeps an institution out
// of Y's ranking whenever it was imposed: the sanctions are read again when ranking and when
// publishing, and a publication under changed sanctions is refused until it is recomputed.
TEST_F(EvaluationTest, SanctionsAreReadAgainAtRankingAndAtPublication) {
  const int year = 2047;
  Cast k = SeedHandComputed(year, "AW");
  // Removed from the directory during Y and barred: listed as not ranked, not dropped.
  const std::string removed_barred = Code("AW", 8);
  fakes_->AddEntry(year, removed_barred, "辛机构", CONSULTING, registry::v1::REMOVED);
  fakes_->AddSanction(year, removed_barred, registry::v1::BAR);
  fakes_->SetProjects(year - 1, removed_barred, 0, 0, 0, 0);
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());
  v1::Round r;
  ASSERT_TRUE(Freeze(year, &r).ok());
  ASSERT_TRUE(
      Defence(year, {{k.a, {8550, 9050}}, {k.b, {9500}}, {k.e, {9500}}, {k.d, {}}}, &r).ok());
  // A bar imposed on b after the freeze, before the ranking: b is not ranked.
  fakes_->AddSanction(year, k.b, registry::v1::BAR);
  ASSERT_TRUE(Rank(year, &r).ok());
  v1::ScoreSheet sheet;
  ASSERT_TRUE(Sheet(year, k.b, City(), &sheet).ok());
  EXPECT_EQ(sheet.rank(), 0);
  EXPECT_EQ(sheet.exclusion().reason(), "BARRED");
  ASSERT_TRUE(Sheet(year, removed_barred, City(), &sheet).ok());
  EXPECT_EQ(sheet.rank(), 0);
  EXPECT_EQ(sheet.exclusion().reason(), "BARRED");
  grpc::Status s = Sheet(year, k.g, City(), &sheet);  // removed, not sanctioned: out of scope
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // e is cancelled after the ranking: the publication is refused, nothing changes.
  fakes_->AddSanction(year, k.e, registry::v1::CANCEL);
  s = Publish(year, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "SANCTIONS_CHANGED");
  EXPECT_EQ(Get(year).state(), v1::RANKED);
  // Computed again, e is out too, and the publication goes through.
  ASSERT_TRUE(Rank(year, &r).ok()) << "a ranked round is computed again";
  ASSERT_TRUE(Sheet(year, k.e, City(), &sheet).ok());
  EXPECT_EQ(sheet.exclusion().reason(), "CANCELLED");
  ASSERT_TRUE(Sheet(year, k.a, City(), &sheet).ok());
  EXPECT_EQ(sheet.rank(), 1);
  ASSERT_TRUE(Publish(year, &r).ok());
  EXPECT_EQ(r.state(), v1::PUBLISHED);
}

TEST_F(EvaluationTest, ASanctionLiftedAfterTheDefenceNeedsTheInstitutionsDefenceFirst) {
  const int year = 2048;
  Cast k = SeedHandComputed(year, "AX");
  Create(year);
  v1::Snapshot snap;
  ASSERT_TRUE(Pull(year, &snap).ok());
  v1::Round r;
  ASSERT_TRUE(Freeze(year, &r).ok());
  ASSERT_TRUE(
      Defence(year, {{k.a, {8550, 9050}}, {k.b, {9500}}, {k.e, {9500}}, {k.d, {}}}, &r).ok());
  // c's bar is lifted: c is to be ranked again, and has no defence entry.
  {
    std::lock_guard<std::mutex> lock(fakes_->data().mu);
    for (auto& sanction : fakes_->data().sanctions[year]) {
      if (sanction.credit_code() == k.c) sanction.set_lifted(true);
    }
  }
  grpc::Status s = Rank(year, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "DEFENCE_NOT_SCORED");
  EXPECT_NE(s.error_message().find(k.c), std::string::npos) << s.error_message();
  EXPECT_EQ(Get(year).state(), v1::DEFENCE_SCORED);
  ASSERT_TRUE(Defence(year, {{k.c, {7000}}}, &r).ok());
  ASSERT_TRUE(Rank(year, &r).ok());
  v1::ScoreSheet sheet;
  ASSERT_TRUE(Sheet(year, k.c, City(), &sheet).ok());
  EXPECT_GT(sheet.rank(), 0);
}

// Issue 26: a what-if on a published round, through gRPC: lifting C's bar would rank it 5th and
// change no other line; nothing is written; only the city bureau may ask; an open round is
// refused.
TEST_F(EvaluationTest, WhatIfOnAPublishedRoundMarksTheChangedLinesAndWritesNothing) {
  const int year = 2054;
  Cast k = RankHandComputed(year, "AU");
  v1::Round r;
  ASSERT_TRUE(Publish(year, &r).ok());
  const int64_t version = Get(year).version();
  v1::SimulateRankingRequest req;
  req.set_round(Round(year));
  v1::InputCorrection* lift = req.add_corrections();
  lift->set_credit_code(k.c);
  lift->mutable_update_mask()->add_paths("exclusion");
  v1::SimulateRankingResponse out;
  grpc::Status s = stub_->SimulateRanking(As(City()).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.round_state(), v1::PUBLISHED);
  EXPECT_EQ(out.changed_count(), 1);
  ASSERT_EQ(out.sheets_size(), 1);
  const v1::SimulatedSheet& line = out.sheets(0);
  EXPECT_EQ(line.sheet().credit_code(), k.c);
  EXPECT_EQ(line.sheet().rank(), 5);
  EXPECT_EQ(line.recorded().rank(), 0);
  EXPECT_EQ(line.recorded().exclusion().reason(), "BARRED");
  EXPECT_THAT(std::vector<std::string>(line.changed_fields().begin(), line.changed_fields().end()),
              ::testing::UnorderedElementsAre("rank", "excellent", "decided_by", "exclusion"));
  // Every other line, asked for, is unchanged against the published one.
  req.set_include_unchanged(true);
  ASSERT_TRUE(stub_->SimulateRanking(As(City()).get(), req, &out).ok());
  ASSERT_EQ(out.sheets_size(), 6);
  for (const auto& l : out.sheets()) {
    if (l.sheet().credit_code() != k.c) {
      EXPECT_EQ(l.changed_fields_size(), 0) << l.DebugString();
    }
  }
  // Nothing written: the round's version and the stored sheet are as published.
  EXPECT_EQ(Get(year).version(), version);
  v1::ScoreSheet stored;
  ASSERT_TRUE(Sheet(year, k.c, City(), &stored).ok());
  EXPECT_EQ(stored.exclusion().reason(), "BARRED");
  EXPECT_EQ(stored.rank(), 0);
  // The city bureau only; a round not frozen is refused.
  s = stub_->SimulateRanking(As(County()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Create(year + 1);
  req.set_round(Round(year + 1));
  req.clear_corrections();
  s = stub_->SimulateRanking(As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_FROZEN");
}

// Issue 26: objections to a published round. Rejected ones change nothing; an upheld one
// publishes a corrected ranking (publication 2) computed from the frozen inputs and the
// correction, the first publication stays readable, and the sheets' export replays it.
TEST_F(EvaluationTest, AnUpheldObjectionPublishesACorrectedRankingAndKeepsTheFirst) {
  const int year = 2056;
  Cast k = RankHandComputed(year, "AT");
  v1::Round r = Get(year);
  auto file = [&](const Principal& who, const std::string& code, const std::string& id,
                  v1::RoundObjection* out) {
    v1::FileRoundObjectionRequest req;
    req.set_parent(Round(year));
    req.mutable_objection()->set_credit_code(code);
    req.mutable_objection()->set_reason("答辩评分录入有误");
    req.set_request_id(id);
    return stub_->FileRoundObjection(As(who).get(), req, out);
  };
  v1::RoundObjection objection, other;
  grpc::Status s = file(Inst(k.d), k.d, "obj-early", &objection);
  EXPECT_EQ(server::testing::ReasonOf(s), "ROUND_NOT_PUBLISHED") << "ranked is not published";
  ASSERT_TRUE(Publish(year, &r).ok());
  EXPECT_EQ(Get(year).publication(), 1);
  s = file(Inst(k.d), k.a, "obj-not-own", &objection);
  EXPECT_EQ(server::testing::ReasonOf(s), "NOT_OWN_INSTITUTION");
  ASSERT_TRUE(file(Inst(k.d), k.d, "obj-d", &objection).ok());
  EXPECT_EQ(objection.state(), v1::OBJECTION_PENDING);
  ASSERT_TRUE(file(City(), k.b, "obj-b", &other).ok()) << "the bureau on b's behalf";

  v1::DecideRoundObjectionRequest decide;
  decide.set_name(other.name());
  decide.set_version(other.version());
  decide.set_decision_note("经复核，评分无误");
  v1::DecideRoundObjectionResponse decided;
  ASSERT_TRUE(stub_->DecideRoundObjection(As(City()).get(), decide, &decided).ok());
  EXPECT_EQ(decided.objection().state(), v1::OBJECTION_REJECTED);
  EXPECT_EQ(decided.round().publication(), 1) << "a rejection publishes nothing";

  // Lifting c's bar through an objection is refused while the registry still holds the bar
  // (R14.5 is the registry's); nothing is published.
  v1::RoundObjection of_c;
  ASSERT_TRUE(file(Inst(k.c), k.c, "obj-c", &of_c).ok());
  v1::DecideRoundObjectionRequest lift;
  lift.set_name(of_c.name());
  lift.set_version(of_c.version());
  lift.set_upheld(true);
  lift.set_decision_note("请求解除禁入");
  v1::InputCorrection* unbar = lift.add_corrections();
  unbar->set_credit_code(k.c);
  unbar->mutable_update_mask()->add_paths("exclusion");
  s = stub_->DecideRoundObjection(As(City()).get(), lift, &decided);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server::testing::ReasonOf(s), "EXCLUSION_DISAGREES_WITH_REGISTRY");
  EXPECT_EQ(Get(year).publication(), 1);

  // Upheld: d's panel scores were entered wrong; the right ones are 90.
  decide.set_name(objection.name());
  decide.set_version(objection.version());
  decide.set_upheld(true);
  decide.set_decision_note("答辩成绩录入错误，予以更正");
  v1::InputCorrection* c = decide.add_corrections();
  c->set_credit_code(k.a);
  c->mutable_update_mask()->add_paths("defence_scores_hundredths");
  c->mutable_inputs()->add_defence_scores_hundredths(9000);
  s = stub_->DecideRoundObjection(As(City()).get(), decide, &decided);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "only d's own inputs";
  c->set_credit_code(k.d);
  s = stub_->DecideRoundObjection(As(County()).get(), decide, &decided);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListRankingResponse first;
  ASSERT_TRUE(Ranking(year, Public(), &first).ok());
  ASSERT_TRUE(stub_->DecideRoundObjection(As(City()).get(), decide, &decided).ok());
  EXPECT_EQ(decided.objection().state(), v1::OBJECTION_UPHELD);
  EXPECT_EQ(decided.objection().publication(), 2);
  EXPECT_EQ(decided.round().publication(), 2);
  EXPECT_EQ(decided.round().state(), v1::PUBLISHED);
  s = stub_->DecideRoundObjection(As(City()).get(), decide, &decided);
  EXPECT_EQ(server::testing::ReasonOf(s), "OBJECTION_ALREADY_DECIDED");

  // The current ranking has d's corrected total; the first publication is kept as it was.
  v1::ListRankingResponse now, kept;
  ASSERT_TRUE(Ranking(year, Public(), &now).ok());
  v1::ListRankingRequest old;
  old.set_parent(Round(year));
  old.set_publication(1);
  ASSERT_TRUE(stub_->ListRanking(As(Public()).get(), old, &kept).ok());
  ASSERT_EQ(kept.entries_size(), first.entries_size());
  for (int i = 0; i < kept.entries_size(); ++i) {
    EXPECT_EQ(kept.entries(i).SerializeAsString(), first.entries(i).SerializeAsString()) << i;
  }
  auto total_of = [](const v1::ListRankingResponse& ranking, const std::string& code) {
    for (const auto& e : ranking.entries()) {
      if (e.credit_code() == code) return e.total();
    }
    return std::string("absent");
  };
  EXPECT_EQ(total_of(kept, k.d), "3.00");
  EXPECT_NE(total_of(now, k.d), "3.00");
  v1::ScoreSheet sheet;
  ASSERT_TRUE(Sheet(year, k.d, Inst(k.d), &sheet).ok());
  EXPECT_EQ(sheet.total(), total_of(now, k.d));
  old.set_publication(3);
  EXPECT_EQ(stub_->ListRanking(As(Public()).get(), old, &kept).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Replay: the sheets' export, recomputed, is the corrected publication's sheets; and a
  // what-if without corrections finds nothing to change.
  std::string json;
  ASSERT_TRUE(Export(year, City(), v1::JSON, v1::SCORE_SHEETS, &json).ok());
  EXPECT_NE(json.find(absl::StrCat("\"total\":", sheet.total(), ",")), std::string::npos);
  v1::SimulateRankingRequest what_if;
  what_if.set_round(Round(year));
  v1::SimulateRankingResponse nothing;
  ASSERT_TRUE(stub_->SimulateRanking(As(City()).get(), what_if, &nothing).ok());
  EXPECT_EQ(nothing.changed_count(), 0);

  // The institution reads its own objections only.
  v1::ListRoundObjectionsRequest list;
  list.set_parent(Round(year));
  v1::ListRoundObjectionsResponse mine, all;
  ASSERT_TRUE(stub_->ListRoundObjections(As(Inst(k.d)).get(), list, &mine).ok());
  ASSERT_EQ(mine.objections_size(), 1);
  EXPECT_EQ(mine.objections(0).corrections_size(), 1);
  ASSERT_TRUE(stub_->ListRoundObjections(As(City()).get(), list, &all).ok());
  EXPECT_EQ(all.objections_size(), 3);
  v1::GetRoundObjectionRequest get;
  get.set_name(other.name());
  EXPECT_EQ(
      server::testing::ReasonOf(stub_->GetRoundObjection(As(Inst(k.d)).get(), get, &objection)),
      "NOT_OWN_INSTITUTION");
}

// Issue 26 item 1: a round records the rules in force on 1 January of its year and is scored
// and replayed under them. 2059 under version 1, 2060 under the fictitious version 2 (other S3
// bands): the same defence (mean 88) scores 25 and 30, and 2059's replay does not move.
TEST_F(EvaluationTest, ARoundIsScoredAndReplayedUnderTheRulesItRecords) {
  Cast old_year = RankHandComputed(2059, "AE");
  Cast new_year = RankHandComputed(2060, "AQ");
  EXPECT_EQ(Get(2059).rule_version(), 1);
  EXPECT_EQ(Get(2060).rule_version(), 2);
  v1::ScoreSheet before, after;
  ASSERT_TRUE(Sheet(2059, old_year.a, City(), &before).ok());
  ASSERT_TRUE(Sheet(2060, new_year.a, City(), &after).ok());
  EXPECT_EQ(before.items(5).points(), "25.00");
  EXPECT_EQ(after.items(5).points(), "30.00");
  EXPECT_NE(after.items(5).applied_en().find("s > 85"), std::string::npos)
      << after.items(5).applied_en();
  // The replay of 2059 (its export, recomputed) is what version 1 gives, byte for byte, and
  // not what version 2 would give.
  std::string json;
  ASSERT_TRUE(Export(2059, City(), v1::JSON, v1::SCORE_SHEETS, &json).ok());
  auto inputs = store_->LoadInputs(2059);
  ASSERT_TRUE(inputs.ok());
  EXPECT_EQ(inputs->rule_version, 1);
  const std::vector<ScoreRules>& rules = RulesWithAVersion2();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(*ExportSheets(inputs->inputs, rules[0], false), json);
  EXPECT_NE(*ExportSheets(inputs->inputs, rules[1], false), json);
  // A what-if without a round scores with the version asked for.
  v1::SimulateRankingRequest req;
  v1::HypotheticalInstitution* h = req.add_hypothetical();
  h->set_credit_code("X");
  h->mutable_inputs()->add_defence_scores_hundredths(8800);
  v1::SimulateRankingResponse out;
  req.set_rule_version(1);
  ASSERT_TRUE(stub_->SimulateRanking(As(City()).get(), req, &out).ok());
  EXPECT_EQ(out.sheets(0).sheet().items(5).points(), "25.00");
  req.set_rule_version(0);  // the latest
  ASSERT_TRUE(stub_->SimulateRanking(As(City()).get(), req, &out).ok());
  EXPECT_EQ(out.rule_version(), 2);
  EXPECT_EQ(out.sheets(0).sheet().items(5).points(), "30.00");
  req.set_rule_version(3);
  EXPECT_EQ(stub_->SimulateRanking(As(City()).get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace zhigai::evaluation
