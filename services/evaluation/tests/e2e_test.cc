// End to end with the REAL source services in-process (registry, tracking, training, feedback,
// each on its own schema of one test database, each over real gRPC): data entered through
// their handlers ends up, through the evaluation's pull, as the expected ranking.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/principal.h"
#include "libs/core/credit_code.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "services/evaluation/handlers.h"
#include "services/feedback/handlers.h"
#include "services/feedback/tracking_directory.h"
#include "services/registry/handlers.h"
#include "services/tracking/eligibility.h"
#include "services/tracking/handlers.h"
#include "services/training/calendar_source.h"
#include "services/training/handlers.h"
#include "services/training/reference_data.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
const std::vector<zhigai::db::Migration>& Registry();
const std::vector<zhigai::db::Migration>& Tracking();
const std::vector<zhigai::db::Migration>& Training();
const std::vector<zhigai::db::Migration>& Feedback();
}  // namespace zhigai::migrations

namespace zhigai::evaluation {
namespace {

using auth::Principal;
using auth::Role;
constexpr char kProof[] = "e2e-proof";
constexpr int kYear = 2027;  // projects and ratings of 2026, tests of 2027

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal Inst(const std::string& c) { return {Role::kInstitution, "inst-" + c, c, ""}; }
Principal Ent(const std::string& c) { return {Role::kEnterprise, "ent-" + c, c, ""}; }
Principal Platform() { return {Role::kPolicyPlatform, "policy-platform", "", ""}; }

std::string Code(int n) {
  std::string first17 = absl::StrFormat("91330302E2E%06d", n);
  return first17 + *core::CreditCodeCheckChar(first17);
}

absl::Time Noon(int y, int m, int d) {
  return absl::FromCivil(absl::CivilHour(y, m, d, 12), absl::FixedTimeZone(8 * 3600));
}

std::unique_ptr<grpc::ClientContext> As(const Principal& p) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata(auth::kPrincipalHeader, auth::EncodePrincipal(p));
  ctx->AddMetadata(auth::kInternalProofHeader, kProof);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

template <typename Stub>
std::unique_ptr<Stub> Connect(int port) {
  return std::make_unique<Stub>(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

#define ASSERT_RPC(call)                               \
  do {                                                 \
    grpc::Status rpc_status_ = (call);                 \
    ASSERT_TRUE(rpc_status_.ok()) << #call << ": " << rpc_status_.error_message(); \
  } while (0)

TEST(EvaluationEndToEnd, FiguresEnteredInTheSourceServicesBecomeTheExpectedRanking) {
  auto db = db::testing::TestDatabase::Create();
  auto pool = [&](const char* schema, const std::vector<db::Migration>& m) {
    auto p = std::make_unique<db::Pool>(db::PoolOptions{db->ServiceConninfo(schema), 4});
    EXPECT_TRUE(server::Migrate(*p, schema, m).ok()) << schema;
    return p;
  };
  auto industries = *core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  auto divisions = *core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  // Tracking and feedback live in the year of the projects and ratings, training in Y.
  auto last_year = [] { return Noon(kYear - 1, 6, 15); };
  auto this_year = [] { return Noon(kYear, 12, 1); };
  int port = 0;

  auto registry_pool = pool("registry", migrations::Registry());
  registry::ReferenceData registry_ref{industries, divisions};
  registry::RegistryStore registry_store(*registry_pool, last_year);
  registry::RegistryHandlers registry(registry_store, registry_ref, kProof, last_year);
  auto registry_server = server::StartServer({&registry}, "127.0.0.1:0", nullptr, &port);
  const std::string registry_addr = absl::StrCat("127.0.0.1:", port);
  auto registry_stub = Connect<registry::v1::RegistryService::Stub>(port);

  auto tracking_pool = pool("tracking", migrations::Tracking());
  tracking::ReferenceData tracking_ref{industries, divisions};
  tracking::TrackingStore tracking_store(*tracking_pool, last_year);
  tracking::RegistryEligibilityOptions eligibility_options;
  eligibility_options.address = registry_addr;
  eligibility_options.internal_proof = kProof;
  tracking::RegistryEligibility eligibility(eligibility_options);
  tracking::TrackingHandlers tracking(tracking_store, tracking_ref, eligibility, kProof,
                                      last_year);
  auto tracking_server = server::StartServer({&tracking}, "127.0.0.1:0", nullptr, &port);
  const std::string tracking_addr = absl::StrCat("127.0.0.1:", port);
  auto tracking_stub = Connect<tracking::v1::TrackingService::Stub>(port);

  auto training_pool = pool("training", migrations::Training());
  auto training_ref = training::ReferenceData::From(industries, divisions);
  auto calendar =
      training::CalendarSource::Open(ZHIGAI_DATA_DIR "/cn-workdays.tsv", absl::Hours(1), this_year);
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  training::TrainingStore training_store(*training_pool, this_year);
  training::TrainingHandlers training(training_store, training_ref, **calendar, kProof, this_year);
  auto training_server = server::StartServer({&training}, "127.0.0.1:0", nullptr, &port);
  const std::string training_addr = absl::StrCat("127.0.0.1:", port);
  auto training_stub = Connect<training::v1::TrainingService::Stub>(port);

  auto feedback_pool = pool("feedback", migrations::Feedback());
  feedback::FeedbackStore feedback_store(*feedback_pool, last_year);
  feedback::TrackingEngagementDirectory engagements(
      grpc::CreateChannel(tracking_addr, grpc::InsecureChannelCredentials()), kProof);
  feedback::FeedbackHandlers feedback(
      feedback::HandlerDeps{feedback_store, engagements, kProof, last_year, [] {}});
  auto feedback_server = server::StartServer({&feedback}, "127.0.0.1:0", nullptr, &port);
  const std::string feedback_addr = absl::StrCat("127.0.0.1:", port);
  auto feedback_stub = Connect<feedback::v1::FeedbackService::Stub>(port);

  auto evaluation_pool = pool("evaluation", migrations::Evaluation());
  EvaluationStore evaluation_store(*evaluation_pool, [] { return absl::Now(); });
  GrpcMetricSources sources({registry_addr, tracking_addr, training_addr, feedback_addr}, kProof);
  EvaluationHandlers evaluation(evaluation_store, sources, kProof);
  auto evaluation_server = server::StartServer({&evaluation}, "127.0.0.1:0", nullptr, &port);
  auto stub = Connect<v1::EvaluationService::Stub>(port);

  // --- Registry: P and Q in the city directories of Y−1 (for their engagements) and Y.
  const std::string p = Code(1), q = Code(2), enterprise = Code(3);
  for (const std::string& code : {p, q}) {
    registry::v1::CreateInstitutionRequest create;
    create.set_request_id("create-" + code);
    auto& in = *create.mutable_institution();
    in.set_credit_code(code);
    in.set_display_name(code == p ? "鹏程智造咨询" : "青禾培训");
    in.set_legal_form(registry::v1::INDEPENDENT_LEGAL_PERSON);
    in.set_founded_date("2016-01-01");
    in.mutable_registered_address()->set_province("浙江省");
    in.mutable_registered_address()->set_city("温州市");
    in.mutable_registered_address()->set_division_code("330302");
    in.set_ownership(registry::v1::PRIVATE);
    in.add_directions(common::v1::CONSULTING);
    in.mutable_contact()->set_name("李四");
    in.mutable_contact()->set_phone("13905770001");
    registry::v1::Institution created;
    ASSERT_RPC(registry_stub->CreateInstitution(As(City()).get(), create, &created));
    for (int year : {kYear - 1, kYear}) {
      registry::v1::AdmitToDirectoryRequest admit;
      admit.set_command_id(absl::StrCat("admit-", code, "-", year));
      admit.set_year(year);
      admit.set_level(common::v1::CITY);
      admit.set_credit_code(code);
      admit.set_direction(common::v1::CONSULTING);
      admit.set_source("e2e");
      registry::v1::DirectoryEntry entry;
      ASSERT_RPC(registry_stub->AdmitToDirectory(As(City()).get(), admit, &entry));
    }
  }

  // --- Tracking: the platform's projects of Y−1. P: 2 diagnosis + 1 solution design approved,
  // 1 diagnosis pending (3 of 4 = 75%); Q: 1 diagnosis approved (100%).
  {
    tracking::v1::BatchPushProjectsRequest push;
    push.set_batch_id("e2e-batch-1");
    int n = 0;
    auto add = [&](const std::string& inst, common::v1::ServiceKind kind, bool approved) {
      tracking::v1::ProjectRecord& r = *push.add_records();
      r.set_project_id(absl::StrCat("P-", ++n));
      r.set_revision(1);
      r.set_institution_credit_code(inst);
      r.set_enterprise_credit_code(enterprise);
      r.set_kind(kind);
      r.set_declaration_date(absl::StrCat(kYear - 1, "-03-15"));
      r.set_city_outcome(approved ? tracking::v1::OUTCOME_APPROVED : tracking::v1::OUTCOME_PENDING);
      if (approved) r.set_city_outcome_date(absl::StrCat(kYear - 1, "-06-01"));
      r.set_county_outcome(approved ? tracking::v1::OUTCOME_APPROVED
                                    : tracking::v1::OUTCOME_PENDING);
      if (approved) r.set_county_outcome_date(absl::StrCat(kYear - 1, "-05-20"));
      r.set_subsidy_fen(100000);
    };
    add(p, common::v1::DIAGNOSIS, true);
    add(p, common::v1::DIAGNOSIS, true);
    add(p, common::v1::SOLUTION_DESIGN, true);
    add(p, common::v1::DIAGNOSIS, false);
    add(q, common::v1::DIAGNOSIS, true);
    tracking::v1::BatchPushProjectsResponse pushed;
    ASSERT_RPC(tracking_stub->BatchPushProjects(As(Platform()).get(), push, &pushed));
  }

  // --- Tracking + feedback: P delivers an engagement in Y−1 and the enterprise rates it.
  std::string engagement;
  {
    tracking::v1::CreateEnterpriseRequest ent;
    ent.set_request_id("ent-1");
    ent.mutable_enterprise()->set_credit_code(enterprise);
    ent.mutable_enterprise()->set_display_name("温州阀门厂");
    ent.mutable_enterprise()->set_division_code("330302");
    ent.mutable_enterprise()->set_industry_code("PUMP_VALVE");
    ent.mutable_enterprise()->set_size(tracking::v1::SMALL);
    tracking::v1::Enterprise created;
    ASSERT_RPC(tracking_stub->CreateEnterprise(As(City()).get(), ent, &created));
    tracking::v1::ReportEngagementRequest report;
    report.set_request_id("report-1");
    auto& e = *report.mutable_engagement();
    e.set_enterprise_credit_code(enterprise);
    e.set_kind(common::v1::DIAGNOSIS);
    e.set_start_date(absl::StrCat(kYear - 1, "-06-01"));
    e.set_planned_end_date(absl::StrCat(kYear - 1, "-07-30"));
    e.add_planned_deliverables("智能化诊断报告");
    e.set_declares_no_product_push(true);
    e.set_declares_no_cost_to_enterprise(true);
    tracking::v1::Engagement reported;
    ASSERT_RPC(tracking_stub->ReportEngagement(As(Inst(p)).get(), report, &reported));
    for (auto state : {tracking::v1::IN_PROGRESS, tracking::v1::DELIVERED}) {
      tracking::v1::UpdateEngagementProgressRequest step;
      step.set_name(reported.name());
      step.set_state(state);
      step.set_version(reported.version());
      ASSERT_RPC(tracking_stub->UpdateEngagementProgress(As(Inst(p)).get(), step, &reported));
    }
    engagement = reported.name();
    feedback::v1::RateEngagementRequest rate;
    rate.set_engagement(engagement);
    rate.set_content(feedback::v1::VERY_SATISFIED);
    rate.set_results(feedback::v1::FAIRLY_SATISFIED);
    rate.set_request_id("rate-1");
    feedback::v1::Rating rating;
    ASSERT_RPC(feedback_stub->RateEngagement(As(Ent(enterprise)).get(), rate, &rating));
    EXPECT_EQ(rating.engagement_year(), kYear - 1);
  }

  // --- Training: the bureau's test of Y. P scores 80 of 100; Q is absent without excuse.
  {
    training::v1::CreateTestSessionRequest create;
    create.set_request_id("session-1");
    create.mutable_session()->set_title("政策与业务测评");
    create.mutable_session()->set_date(absl::StrCat(kYear, "-05-10"));
    create.mutable_session()->set_full_marks_hundredths(10000);
    create.mutable_session()->add_expected_credit_codes(p);
    create.mutable_session()->add_expected_credit_codes(q);
    training::v1::TestSession session;
    ASSERT_RPC(training_stub->CreateTestSession(As(City()).get(), create, &session));
    training::v1::RecordTestResultRequest score;
    score.set_session(session.name());
    score.set_credit_code(p);
    score.set_score_hundredths(8000);
    training::v1::TestResult result;
    ASSERT_RPC(training_stub->RecordTestResult(As(City()).get(), score, &result));
    training::v1::RecordTestResultRequest absent;
    absent.set_session(session.name());
    absent.set_credit_code(q);
    absent.mutable_absence();
    ASSERT_RPC(training_stub->RecordTestResult(As(City()).get(), absent, &result));
  }

  // --- The evaluation round of Y.
  v1::CreateRoundRequest create;
  create.set_year(kYear);
  create.set_request_id("round");
  v1::Round round;
  ASSERT_RPC(stub->CreateRound(As(City()).get(), create, &round));
  v1::PullMetricsRequest pull;
  pull.set_round(round.name());
  v1::Snapshot snapshot;
  ASSERT_RPC(stub->PullMetrics(As(City()).get(), pull, &snapshot));
  EXPECT_EQ(snapshot.institution_count(), 2);
  ASSERT_EQ(snapshot.sources_size(), 4);
  for (const auto& s : snapshot.sources()) {
    if (s.source() == "tracking") {
      EXPECT_EQ(s.intake_mode(), "RECORDS");
      EXPECT_FALSE(s.source_revision().empty());
    }
  }
  v1::FreezeSnapshotRequest freeze;
  freeze.set_round(round.name());
  freeze.set_version(snapshot.institution_count() > 0 ? 2 : 0);
  ASSERT_RPC(stub->FreezeSnapshot(As(City()).get(), freeze, &round));
  v1::RecordDefenceScoresRequest defence;
  defence.set_round(round.name());
  auto* dp = defence.add_entries();
  dp->set_credit_code(p);
  dp->add_member_scores_hundredths(9000);  // 80 < 90 ≤ 90 → 25
  auto* dq = defence.add_entries();
  dq->set_credit_code(q);
  dq->add_member_scores_hundredths(9500);  // → 30
  ASSERT_RPC(stub->RecordDefenceScores(As(City()).get(), defence, &round));
  EXPECT_EQ(round.state(), v1::DEFENCE_SCORED);
  v1::ComputeRankingRequest rank;
  rank.set_round(round.name());
  rank.set_version(round.version());
  ASSERT_RPC(stub->ComputeRanking(As(City()).get(), rank, &round));
  v1::PublishRoundRequest publish;
  publish.set_round(round.name());
  publish.set_version(round.version());
  ASSERT_RPC(stub->PublishRound(As(City()).get(), publish, &round));

  // P: S1.1 2×1 + 1×2 = 4; S1.2 3/4 = 75% → 6; S1.3 80/100 → 8; S2.1 10; S2.2 8; S3 → 25 = 61.
  // Q: S1.1 1; S1.2 1/1 → 10; S1.3 unexcused absence → 0; no rating → 0; S3 → 30 = 41.
  v1::ListRankingRequest list;
  list.set_parent(round.name());
  v1::ListRankingResponse ranking;
  ASSERT_RPC(stub->ListRanking(
      std::make_unique<grpc::ClientContext>().get(), list, &ranking));  // PUBLIC
  ASSERT_EQ(ranking.entries_size(), 2);
  EXPECT_EQ(ranking.entries(0).credit_code(), p);
  EXPECT_EQ(ranking.entries(0).display_name(), "鹏程智造咨询");
  EXPECT_EQ(ranking.entries(0).rank(), 1);
  EXPECT_EQ(ranking.entries(0).total(), "61.00");
  EXPECT_EQ(ranking.entries(0).s1(), "18.00");
  EXPECT_EQ(ranking.entries(0).s2(), "18.00");
  EXPECT_EQ(ranking.entries(0).s3(), "25.00");
  EXPECT_TRUE(ranking.entries(0).excellent());
  EXPECT_EQ(ranking.entries(1).credit_code(), q);
  EXPECT_EQ(ranking.entries(1).rank(), 2);
  EXPECT_EQ(ranking.entries(1).total(), "41.00");
  EXPECT_EQ(ranking.entries(1).s1(), "11.00");

  v1::GetScoreSheetRequest get;
  get.set_name(absl::StrCat(round.name(), "/scoreSheets/", p));
  v1::ScoreSheet sheet;
  ASSERT_RPC(stub->GetScoreSheet(As(Inst(p)).get(), get, &sheet));
  EXPECT_EQ(sheet.items(0).inputs(), "diagnosis=2; solution_design=1");
  EXPECT_EQ(sheet.items(1).inputs(), "approved=3; declared=4");
  EXPECT_EQ(sheet.items(2).points(), "8.00");
  EXPECT_EQ(sheet.items(3).points(), "10.00");
  EXPECT_EQ(sheet.items(4).points(), "8.00");

  for (auto* s : {&evaluation_server, &feedback_server, &training_server, &tracking_server,
                  &registry_server}) {
    (*s)->Shutdown();
  }
}

}  // namespace
}  // namespace zhigai::evaluation
