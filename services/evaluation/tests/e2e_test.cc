// End to end with the REAL source services in-process (registry, tracking, training, feedback,
// each on its own schema of one test database, each over real gRPC): data entered through
// their handlers ends up, through the evaluation's pull, as the expected ranking.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "libs/wire/testing/literals.h"
#include "services/evaluation/domain/testing/rules.h"
#include "services/evaluation/handlers.h"
#include "services/evaluation/tests/real_sources.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

namespace zhigai::evaluation {
namespace {

using auth::Principal;
using auth::Role;
using testing::RealCode;
using testing::RealSources;
constexpr int kYear = 2027;  // projects and ratings of 2026, tests of 2027

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal Inst(const std::string& c) { return {Role::kInstitution, "inst-" + c, c, ""}; }
Principal Ent(const std::string& c) { return {Role::kEnterprise, "ent-" + c, c, ""}; }
Principal Platform() { return {Role::kPolicyPlatform, "policy-platform", "", ""}; }
std::unique_ptr<grpc::ClientContext> As(const Principal& p) { return testing::AsPrincipal(p); }

#define ASSERT_RPC(call)                                                           \
  do {                                                                             \
    grpc::Status rpc_status_ = (call);                                             \
    ASSERT_TRUE(rpc_status_.ok()) << #call << ": " << rpc_status_.error_message(); \
  } while (0)

TEST(EvaluationEndToEnd, FiguresEnteredInTheSourceServicesBecomeTheExpectedRanking) {
  auto db = db::testing::TestDatabase::Create();
  RealSources real(*db, kYear);
  auto* tracking_stub = &real.tracking();
  auto* training_stub = &real.training();
  auto* feedback_stub = &real.feedback();

  auto evaluation_pool =
      std::make_unique<db::Pool>(db::PoolOptions{db->ServiceConninfo("evaluation"), 4});
  ASSERT_TRUE(server::Migrate(*evaluation_pool, "evaluation", migrations::Evaluation()).ok());
  EvaluationStore evaluation_store(*evaluation_pool, [] { return absl::Now(); });
  GrpcMetricSources sources(real.addresses(), testing::kRealProof);
  EvaluationHandlers evaluation(evaluation_store, sources, TestRules(), testing::kRealProof);
  int port = 0;
  auto evaluation_server = server::StartServer({&evaluation}, "127.0.0.1:0", nullptr, &port);
  auto stub = v1::EvaluationService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  // --- Registry: P and Q in the city directories of Y−1 (for their engagements) and Y.
  const std::string p = RealCode(1), q = RealCode(2), enterprise = RealCode(3);
  ASSERT_TRUE(real.Admit(p, "鹏程智造咨询", {kYear - 1, kYear}));
  ASSERT_TRUE(real.Admit(q, "青禾培训", {kYear - 1, kYear}));

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
      *r.mutable_declaration_date() = wire::testing::D(absl::StrCat(kYear - 1, "-03-15"));
      r.set_city_outcome(approved ? tracking::v1::OUTCOME_APPROVED : tracking::v1::OUTCOME_PENDING);
      if (approved)
        *r.mutable_city_outcome_date() = wire::testing::D(absl::StrCat(kYear - 1, "-06-01"));
      r.set_county_outcome(approved ? tracking::v1::OUTCOME_APPROVED
                                    : tracking::v1::OUTCOME_PENDING);
      if (approved)
        *r.mutable_county_outcome_date() = wire::testing::D(absl::StrCat(kYear - 1, "-05-20"));
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
    *e.mutable_start_date() = wire::testing::D(absl::StrCat(kYear - 1, "-06-01"));
    *e.mutable_planned_end_date() = wire::testing::D(absl::StrCat(kYear - 1, "-07-30"));
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
  training::v1::TestSession second_session;
  {
    training::v1::CreateTestSessionRequest create;
    create.set_request_id("session-1");
    create.mutable_session()->set_title("政策与业务测评");
    *create.mutable_session()->mutable_date() = wire::testing::D(absl::StrCat(kYear, "-05-10"));
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
    // A second test: P scores 80 again, Q has no result. Open, that is not yet an absence.
    create.set_request_id("session-2");
    *create.mutable_session()->mutable_date() = wire::testing::D(absl::StrCat(kYear, "-09-10"));
    ASSERT_RPC(training_stub->CreateTestSession(As(City()).get(), create, &second_session));
    score.set_session(second_session.name());
    ASSERT_RPC(training_stub->RecordTestResult(As(City()).get(), score, &result));
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
  std::string tracking_revision;
  for (const auto& s : snapshot.sources()) {
    if (s.source() == "tracking") {
      EXPECT_EQ(s.intake_mode(), "RECORDS");
      tracking_revision = s.source_revision();
    }
  }
  EXPECT_EQ(tracking_revision.rfind(absl::StrCat("records:", kYear - 1, ":"), 0), 0u)
      << tracking_revision;
  // R8.1 Decision (2026-12): Q's result is missing at a session still open, so the snapshot
  // cannot be frozen; once the bureau closes the session, Q's missing result is an absence.
  EXPECT_EQ(snapshot.test_results_missing(), 1);
  v1::FreezeSnapshotRequest freeze;
  freeze.set_round(round.name());
  freeze.set_version(2);  // created 1, pulled 2
  grpc::Status open = stub->FreezeSnapshot(As(City()).get(), freeze, &round);
  EXPECT_EQ(open.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(open.error_message().find("R8.1"), std::string::npos) << open.error_message();
  training::v1::CloseTestSessionRequest close;
  close.set_name(second_session.name());
  training::v1::TestSession closed;
  ASSERT_RPC(training_stub->CloseTestSession(As(City()).get(), close, &closed));
  ASSERT_RPC(stub->PullMetrics(As(City()).get(), pull, &snapshot));
  EXPECT_EQ(snapshot.test_results_missing(), 0);
  freeze.set_version(3);  // pulled again
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

  // P: S1.1 2×1 + 1×2 = 4; S1.2 3/4 = 75% → 6; S1.3 80, 80 → 8; S2.1 10; S2.2 8; S3 → 25 = 61.
  // Q: S1.1 1; S1.2 1/1 → 10; S1.3 two unexcused absences → 0; no rating → 0; S3 → 30 = 41.
  v1::ListRankingRequest list;
  list.set_parent(round.name());
  v1::ListRankingResponse ranking;
  ASSERT_RPC(
      stub->ListRanking(std::make_unique<grpc::ClientContext>().get(), list, &ranking));  // PUBLIC
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
  // Traceable from the round: the sheet names the data state the snapshot recorded.
  EXPECT_EQ(sheet.project_source(), tracking_revision);
  EXPECT_EQ(sheet.items(1).inputs(), "approved=3; declared=4");
  EXPECT_EQ(sheet.items(2).points(), "8.00");
  EXPECT_EQ(sheet.items(3).points(), "10.00");
  EXPECT_EQ(sheet.items(4).points(), "8.00");

  // Q's sheet names the result missing at the close.
  get.set_name(absl::StrCat(round.name(), "/scoreSheets/", q));
  ASSERT_RPC(stub->GetScoreSheet(As(City()).get(), get, &sheet));
  EXPECT_EQ(sheet.items(2).inputs(),
            "unexcused absence (R8.1) → 0.00; no result when the session closed: unexcused "
            "absence (R8.1) → 0.00");

  evaluation_server->Shutdown();
}

}  // namespace
}  // namespace zhigai::evaluation
