// Enterprises, needs and engagements against a real PostgreSQL and a real registry, over gRPC.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/dates.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "services/tracking/tests/fixture.h"

namespace zhigai::tracking {
namespace {

using server::testing::FieldsOf;
using server::testing::ReasonOf;

using namespace testing;
constexpr int kYear = 2026;
constexpr char kLucheng[] = "330302";
constexpr char kLongwan[] = "330303";

class EngagementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = TrackingEnv::Start(); }
  static void TearDownTestSuite() { env_.reset(); }
  static v1::TrackingService::Stub& T() { return env_->tracking(); }
  static auto As(const auth::Principal& p) { return TrackingEnv::As(p); }

  static v1::Engagement Report(const std::string& enterprise, bool confidential = false) {
    v1::Engagement e;
    e.set_enterprise_credit_code(enterprise);
    e.set_kind(common::v1::DIAGNOSIS);
    *e.mutable_start_date() = wire::testing::D("2026-03-02");
    *e.mutable_planned_end_date() = wire::testing::D("2026-04-30");
    e.add_planned_deliverables("智能化诊断报告");
    e.set_declares_no_product_push(true);
    e.set_declares_no_cost_to_enterprise(true);
    if (confidential) {
      e.set_confidential(true);
      e.set_confidentiality_agreement_document_id("doc-nda-1");
    }
    return e;
  }

  static grpc::Status DoReport(const std::string& institution, const v1::Engagement& e,
                               const std::string& request_id, v1::Engagement* out,
                               v1::TrackingService::Stub* stub = nullptr) {
    v1::ReportEngagementRequest req;
    req.set_request_id(request_id);
    *req.mutable_engagement() = e;
    return (stub ? *stub : T()).ReportEngagement(As(Inst(institution)).get(), req, out);
  }

  static grpc::Status Step(const auth::Principal& who, const v1::Engagement& e,
                           v1::EngagementState to, v1::Engagement* out,
                           const std::string& reason = "") {
    v1::UpdateEngagementProgressRequest req;
    req.set_name(e.name());
    req.set_state(to);
    req.set_cancel_reason(reason);
    req.set_version(e.version());
    return T().UpdateEngagementProgress(As(who).get(), req, out);
  }

  // An admitted institution and an enterprise in `division`, fresh for the calling test.
  static std::pair<std::string, std::string> Parties(int tag, const std::string& division) {
    std::string inst = Code(tag, 1), ent = Code(tag, 2);
    EXPECT_TRUE(env_->AdmitInstitution(inst, kYear));
    EXPECT_TRUE(env_->CreateEnterprise(ent, division));
    return {inst, ent};
  }

  static inline std::unique_ptr<TrackingEnv> env_;
};

TEST_F(EngagementTest, EnterpriseCreationValidatesScopesAndIsIdempotent) {
  v1::CreateEnterpriseRequest req;
  req.set_request_id("e-bad");
  auto& e = *req.mutable_enterprise();
  e.set_credit_code("91330302123456788Q");  // wrong check character
  e.set_display_name("");
  e.set_division_code("330300");  // the city itself is not a county-level division
  e.set_industry_code("SHIPBUILDING");
  v1::Enterprise out;
  int64_t before = env_->Count("enterprises");
  grpc::Status s = T().CreateEnterprise(As(City()).get(), req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto fields = FieldsOf(s);
  for (const char* f :
       {"enterprise.credit_code", "enterprise.display_name", "enterprise.division_code",
        "enterprise.industry_code", "enterprise.size"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  EXPECT_EQ(env_->Count("enterprises"), before);

  e.set_credit_code(Code(101, 1));
  e.set_display_name("瓯海泵阀厂");
  e.set_division_code(kLongwan);
  e.clear_industry_code();
  e.set_industry_other("眼镜制造");
  e.set_size(v1::MEDIUM);
  req.set_request_id("e-1");
  s = T().CreateEnterprise(As(County(kLucheng)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "OUTSIDE_DIVISION");
  s = T().CreateEnterprise(As(Ent(Code(101, 9))).get(), req, &out);
  EXPECT_EQ(ReasonOf(s), "NOT_OWN_ENTERPRISE");

  ASSERT_TRUE(T().CreateEnterprise(As(County(kLongwan)).get(), req, &out).ok());
  EXPECT_EQ(out.name(), "enterprises/" + Code(101, 1));
  EXPECT_EQ(out.version(), 1);
  v1::Enterprise again;
  ASSERT_TRUE(T().CreateEnterprise(As(County(kLongwan)).get(), req, &again).ok());
  EXPECT_EQ(again.create_time(), out.create_time());
  EXPECT_EQ(env_->Count("enterprises", "credit_code = '" + Code(101, 1) + "'"), 1);
  req.set_request_id("e-2");
  s = T().CreateEnterprise(As(County(kLongwan)).get(), req, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::GetEnterpriseRequest get;
  get.set_name(out.name());
  EXPECT_EQ(T().GetEnterprise(As(County(kLucheng)).get(), get, &again).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(T().GetEnterprise(As(Ent(Code(101, 1))).get(), get, &again).ok());
  v1::ListEnterprisesRequest list;
  v1::ListEnterprisesResponse page;
  ASSERT_TRUE(T().ListEnterprises(As(County(kLucheng)).get(), list, &page).ok());
  for (const auto& x : page.enterprises()) EXPECT_EQ(x.division_code(), kLucheng);
}

TEST_F(EngagementTest, NeedAssignmentDeclineAndAccept) {
  std::string ent = Code(102, 2), inst = Code(102, 1), other = Code(102, 3);
  ASSERT_TRUE(env_->CreateEnterprise(ent, kLucheng));
  // Needs go to institutions that may serve this year (the services' business year).
  const int year = static_cast<int>(core::BusinessDayOf(absl::Now()).year());
  ASSERT_TRUE(env_->AdmitInstitution(inst, year));
  ASSERT_TRUE(env_->AdmitInstitution(other, year));
  v1::CreateNeedRequest create;
  create.set_request_id("n-1");
  create.mutable_need()->set_enterprise_credit_code(ent);
  create.mutable_need()->set_description("产线数据采集与设备联网诊断");
  v1::Need need;
  ASSERT_TRUE(T().CreateNeed(As(Ent(ent)).get(), create, &need).ok());
  EXPECT_EQ(need.state(), v1::OPEN);
  EXPECT_EQ(need.division_code(), kLucheng);

  v1::GetNeedRequest get;
  get.set_name(need.name());
  v1::Need seen;
  EXPECT_EQ(T().GetNeed(As(Inst(inst)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::AssignNeedRequest assign;
  assign.set_name(need.name());
  assign.set_version(need.version());
  // A well-formed code the registry does not know: NOT_FOUND naming it (R2.1), not UNAVAILABLE.
  const std::string ghost = Code(102, 9);
  assign.set_institution_credit_code(ghost);
  grpc::Status s = T().AssignNeed(As(County(kLucheng)).get(), assign, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(s), "INSTITUTION_NOT_REGISTERED");
  EXPECT_NE(s.error_message().find(ghost), std::string::npos) << s.error_message();
  // Registered but not in the directory: refused with the registry's reasons.
  const std::string unlisted = Code(102, 8);
  ASSERT_TRUE(env_->RegisterOnly(unlisted));
  assign.set_institution_credit_code(unlisted);
  s = T().AssignNeed(As(County(kLucheng)).get(), assign, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "INSTITUTION_NOT_ELIGIBLE");
  EXPECT_EQ(env_->Count("needs", "id = " + need.name().substr(6) + " AND version = 1"), 1)
      << "nothing written";
  assign.set_institution_credit_code(inst);
  s = T().AssignNeed(As(County(kLongwan)).get(), assign, &seen);
  EXPECT_EQ(ReasonOf(s), "OUTSIDE_DIVISION");
  EXPECT_EQ(T().AssignNeed(As(Inst(inst)).get(), assign, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(T().AssignNeed(As(County(kLucheng)).get(), assign, &need).ok());
  EXPECT_EQ(need.state(), v1::ASSIGNED);
  ASSERT_EQ(need.assignments_size(), 1);
  EXPECT_EQ(need.assignments(0).state(), v1::PENDING);
  // Stale version.
  EXPECT_EQ(T().AssignNeed(As(City()).get(), assign, &seen).error_code(),
            grpc::StatusCode::ABORTED);
  // Not OPEN any more.
  assign.set_version(need.version());
  s = T().AssignNeed(As(City()).get(), assign, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "NEED_NOT_OPEN");
  // The assigned institution now sees it, in Get and in its list.
  EXPECT_TRUE(T().GetNeed(As(Inst(inst)).get(), get, &seen).ok());
  v1::ListNeedsResponse mine;
  ASSERT_TRUE(T().ListNeeds(As(Inst(inst)).get(), v1::ListNeedsRequest(), &mine).ok());
  ASSERT_EQ(mine.needs_size(), 1);

  v1::RespondToAssignmentRequest answer;
  answer.set_name(need.name());
  answer.set_version(need.version());
  answer.set_accept(false);
  s = T().RespondToAssignment(As(Inst(other)).get(), answer, &seen);
  EXPECT_EQ(ReasonOf(s), "NOT_ASSIGNED_INSTITUTION");
  s = T().RespondToAssignment(As(Inst(inst)).get(), answer, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), std::vector<std::string>{"decline_reason"});
  answer.set_decline_reason("本季度人手不足");
  ASSERT_TRUE(T().RespondToAssignment(As(Inst(inst)).get(), answer, &need).ok());
  EXPECT_EQ(need.state(), v1::OPEN);
  EXPECT_EQ(need.assignments(0).state(), v1::DECLINED);
  EXPECT_EQ(need.assignments(0).decline_reason(), "本季度人手不足");
  answer.set_version(need.version());
  s = T().RespondToAssignment(As(Inst(inst)).get(), answer, &seen);
  EXPECT_EQ(ReasonOf(s), "ASSIGNMENT_ALREADY_ANSWERED");

  // Assigned again (to another institution), accepted: SERVED.
  assign.set_institution_credit_code(other);
  assign.set_version(need.version());
  ASSERT_TRUE(T().AssignNeed(As(City()).get(), assign, &need).ok());
  answer.set_accept(true);
  answer.set_version(need.version());
  ASSERT_TRUE(T().RespondToAssignment(As(Inst(other)).get(), answer, &need).ok());
  EXPECT_EQ(need.state(), v1::SERVED);
  EXPECT_EQ(need.assignments(1).state(), v1::ACCEPTED);
  EXPECT_EQ(env_->Count("audit_log", "entity = 'need' AND entity_id = '" + need.name() + "'"), 5);
}

TEST_F(EngagementTest, ReportChecksDeclarationsFieldsAndEligibility) {
  auto [inst, ent] = Parties(103, kLucheng);
  std::string outsider = Code(103, 5);  // in the directory of another year only
  ASSERT_TRUE(env_->AdmitInstitution(outsider, kYear - 1));
  int64_t before = env_->Count("engagements");
  v1::Engagement out;

  v1::Engagement e = Report(ent);
  e.set_declares_no_product_push(false);
  grpc::Status s = DoReport(inst, e, "r-1", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "PRODUCT_PUSH_NOT_DECLARED");
  e = Report(ent);
  e.set_declares_no_cost_to_enterprise(false);
  EXPECT_EQ(ReasonOf(DoReport(inst, e, "r-1", &out)), "COST_TO_ENTERPRISE_NOT_DECLARED");
  e = Report(ent);
  e.set_confidential(true);
  e.set_kind(common::v1::TRAINING_SERVICE);
  *e.mutable_planned_end_date() = wire::testing::D("2026-03-01");
  s = DoReport(inst, e, "r-1", &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            (std::vector<std::string>{"engagement.kind", "engagement.planned_end_date",
                                      "engagement.confidentiality_agreement_document_id"}));
  e = Report(Code(103, 8));  // enterprise never registered
  EXPECT_EQ(ReasonOf(DoReport(inst, e, "r-1", &out)), "ENTERPRISE_NOT_REGISTERED");
  s = DoReport(outsider, Report(ent), "r-1", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "INSTITUTION_NOT_ELIGIBLE");
  EXPECT_NE(s.error_message().find("NOT_IN_DIRECTORY"), std::string::npos) << s.error_message();
  // Only institutions report.
  v1::ReportEngagementRequest req;
  req.set_request_id("r-x");
  *req.mutable_engagement() = Report(ent);
  EXPECT_EQ(T().ReportEngagement(As(City()).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env_->Count("engagements"), before);

  ASSERT_TRUE(DoReport(inst, Report(ent), "r-1", &out).ok());
  EXPECT_EQ(out.state(), v1::REPORTED);
  EXPECT_EQ(out.institution_credit_code(), inst);
  EXPECT_EQ(out.division_code(), kLucheng);
  EXPECT_EQ(out.eligibility_entries_size(), 1);
  ASSERT_EQ(out.history_size(), 1);
  EXPECT_EQ(out.history(0).change().actor(), "inst-" + inst);
  v1::Engagement again;
  ASSERT_TRUE(DoReport(inst, Report(ent), "r-1", &again).ok());
  EXPECT_EQ(again.name(), out.name());
  EXPECT_EQ(env_->Count("engagements"), before + 1);
}

TEST_F(EngagementTest, RegistryDownIsUnavailableAndWritesNothing) {
  auto [inst, ent] = Parties(104, kLucheng);
  auto dead = env_->TrackingWithRegistryAt("127.0.0.1:1");
  int64_t before = env_->Count("engagements"), audits = env_->Count("audit_log");
  v1::Engagement out;
  grpc::Status s = DoReport(inst, Report(ent), "r-down", &out, dead.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(s), "REGISTRY_UNAVAILABLE");
  EXPECT_EQ(env_->Count("engagements"), before);
  EXPECT_EQ(env_->Count("audit_log"), audits);
  // The client retries with the same request id once the registry is back.
  ASSERT_TRUE(DoReport(inst, Report(ent), "r-down", &out).ok());
  // A repeat is answered from the stored answer even while the registry is away.
  v1::Engagement again;
  ASSERT_TRUE(DoReport(inst, Report(ent), "r-down", &again, dead.get()).ok());
  EXPECT_EQ(again.name(), out.name());
  EXPECT_EQ(env_->Count("engagements"), before + 1);
}

TEST_F(EngagementTest, EveryStateTransitionWithItsRoles) {
  auto [inst, ent] = Parties(105, kLucheng);
  v1::Engagement e, next;
  ASSERT_TRUE(DoReport(inst, Report(ent), "t-1", &e).ok());
  // Skipping a step, or the wrong party.
  grpc::Status s = Step(Inst(inst), e, v1::DELIVERED, &next);
  EXPECT_EQ(ReasonOf(s), "ENGAGEMENT_TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Step(Ent(ent), e, v1::IN_PROGRESS, &next)), "STEP_NOT_YOURS");
  EXPECT_EQ(ReasonOf(Step(Ent(ent), e, v1::ENTERPRISE_ACCEPTED, &next)),
            "ENGAGEMENT_TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Step(Inst(inst), e, v1::REPORTED, &next)),
            "ENGAGEMENT_TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(Step(County(kLongwan), e, v1::CANCELLED, &next, "x").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Step(Inst(inst), e, v1::IN_PROGRESS, &e).ok());
  EXPECT_EQ(e.state(), v1::IN_PROGRESS);
  EXPECT_EQ(Step(Inst(inst), e, v1::DELIVERED, &next).ok(), true);
  // The old version is stale now.
  EXPECT_EQ(Step(Inst(inst), e, v1::DELIVERED, &next).error_code(), grpc::StatusCode::ABORTED);
  e = next;
  EXPECT_EQ(ReasonOf(Step(Inst(inst), e, v1::CANCELLED, &next, "不做了")),
            "ENGAGEMENT_TRANSITION_NOT_ALLOWED");  // DELIVERED cannot be cancelled
  EXPECT_EQ(ReasonOf(Step(Inst(inst), e, v1::ENTERPRISE_ACCEPTED, &next)), "STEP_NOT_YOURS");
  ASSERT_TRUE(Step(Ent(ent), e, v1::ENTERPRISE_ACCEPTED, &e).ok());
  EXPECT_EQ(ReasonOf(Step(City(), e, v1::CANCELLED, &next, "x")),
            "ENGAGEMENT_TRANSITION_NOT_ALLOWED");
  ASSERT_EQ(e.history_size(), 4);
  EXPECT_EQ(e.history(3).from_state(), v1::DELIVERED);
  EXPECT_EQ(e.history(3).to_state(), v1::ENTERPRISE_ACCEPTED);
  EXPECT_EQ(e.history(3).change().actor_role(), "ENTERPRISE");
  EXPECT_EQ(env_->Count("audit_log", "entity = 'engagement' AND entity_id = '" + e.name() + "'"),
            4);

  // Cancellation: reason required; from REPORTED by the institution, from IN_PROGRESS by the
  // supervising county bureau.
  v1::Engagement c1, c2;
  ASSERT_TRUE(DoReport(inst, Report(ent), "t-2", &c1).ok());
  s = Step(Inst(inst), c1, v1::CANCELLED, &next, "  ");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Step(Inst(inst), c1, v1::CANCELLED, &c1, "企业改变计划").ok());
  EXPECT_EQ(c1.cancel_reason(), "企业改变计划");
  EXPECT_EQ(ReasonOf(Step(Inst(inst), c1, v1::IN_PROGRESS, &next)),
            "ENGAGEMENT_TRANSITION_NOT_ALLOWED");
  ASSERT_TRUE(DoReport(inst, Report(ent), "t-3", &c2).ok());
  ASSERT_TRUE(Step(Inst(inst), c2, v1::IN_PROGRESS, &c2).ok());
  ASSERT_TRUE(Step(County(kLucheng), c2, v1::CANCELLED, &c2, "机构违反R14.1").ok());
  EXPECT_EQ(c2.state(), v1::CANCELLED);
  EXPECT_EQ(c2.history(2).change().actor_role(), "COUNTY_BUREAU");
}

TEST_F(EngagementTest, ReportingForANeedServesItAndCancellingReopensIt) {
  auto [inst, ent] = Parties(106, kLucheng);
  v1::CreateNeedRequest create;
  create.set_request_id("n-106");
  create.mutable_need()->set_enterprise_credit_code(ent);
  create.mutable_need()->set_description("方案设计");
  v1::Need need;
  ASSERT_TRUE(T().CreateNeed(As(County(kLucheng)).get(), create, &need).ok());
  v1::Engagement e = Report(ent), out, next;
  e.set_need(need.name());
  ASSERT_TRUE(DoReport(inst, e, "rn-1", &out).ok());
  v1::GetNeedRequest get;
  get.set_name(need.name());
  ASSERT_TRUE(T().GetNeed(As(City()).get(), get, &need).ok());
  EXPECT_EQ(need.state(), v1::SERVED);
  // A second engagement for the same (now served) need is refused.
  grpc::Status s = DoReport(inst, e, "rn-2", &next);
  EXPECT_EQ(ReasonOf(s), "NEED_TRANSITION_NOT_ALLOWED");
  ASSERT_TRUE(Step(Inst(inst), out, v1::CANCELLED, &out, "企业暂停改造").ok());
  ASSERT_TRUE(T().GetNeed(As(City()).get(), get, &need).ok());
  EXPECT_EQ(need.state(), v1::OPEN);
}

TEST_F(EngagementTest, CountyBureausSeeOnlyTheirDivision) {
  std::string inst = Code(107, 1), a = Code(107, 2), b = Code(107, 3);
  ASSERT_TRUE(env_->AdmitInstitution(inst, kYear));
  ASSERT_TRUE(env_->CreateEnterprise(a, kLucheng));
  ASSERT_TRUE(env_->CreateEnterprise(b, kLongwan));
  v1::Engagement in_a, in_b, seen;
  ASSERT_TRUE(DoReport(inst, Report(a), "s-a", &in_a).ok());
  ASSERT_TRUE(DoReport(inst, Report(b), "s-b", &in_b).ok());

  v1::GetEngagementRequest get;
  get.set_name(in_b.name());
  grpc::Status s = T().GetEngagement(As(County(kLucheng)).get(), get, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(s), "OUTSIDE_DIVISION");
  EXPECT_TRUE(T().GetEngagement(As(County(kLongwan)).get(), get, &seen).ok());
  EXPECT_TRUE(T().GetEngagement(As(City()).get(), get, &seen).ok());
  EXPECT_EQ(T().GetEngagement(As(Ent(a)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(T().GetEngagement(As(Inst(Code(107, 9))).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListEngagementsRequest list;
  list.set_institution_credit_code(inst);
  v1::ListEngagementsResponse page;
  ASSERT_TRUE(T().ListEngagements(As(County(kLucheng)).get(), list, &page).ok());
  ASSERT_EQ(page.engagements_size(), 1);
  EXPECT_EQ(page.engagements(0).name(), in_a.name());
  list.set_division_code(kLongwan);
  EXPECT_EQ(T().ListEngagements(As(County(kLucheng)).get(), list, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  list.clear_division_code();
  page.Clear();
  ASSERT_TRUE(T().ListEngagements(As(City()).get(), list, &page).ok());
  EXPECT_EQ(page.engagements_size(), 2);
  // Paging: one per page, two pages.
  list.set_page_size(1);
  page.Clear();
  ASSERT_TRUE(T().ListEngagements(As(Inst(inst)).get(), list, &page).ok());
  ASSERT_EQ(page.engagements_size(), 1);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  v1::ListEngagementsResponse second;
  ASSERT_TRUE(T().ListEngagements(As(Inst(inst)).get(), list, &second).ok());
  ASSERT_EQ(second.engagements_size(), 1);
  EXPECT_NE(second.engagements(0).name(), page.engagements(0).name());
}

TEST_F(EngagementTest, ConfidentialDocumentsOnlyForPartiesAndSupervisingBureaus) {
  auto [inst, ent] = Parties(108, kLucheng);
  v1::Engagement secret, open, seen;
  ASSERT_TRUE(DoReport(inst, Report(ent, true), "c-1", &secret).ok());
  ASSERT_TRUE(DoReport(inst, Report(ent, false), "c-2", &open).ok());
  for (const auto* e : {&secret, &open}) {
    v1::AddEngagementDocumentRequest add;
    add.set_name(e->name());
    add.set_request_id("doc-1");
    add.mutable_document()->set_document_id("doc-report-" + e->name());
    add.mutable_document()->set_title("诊断报告");
    ASSERT_TRUE(T().AddEngagementDocument(As(Inst(inst)).get(), add, &seen).ok());
    ASSERT_TRUE(T().AddEngagementDocument(As(Inst(inst)).get(), add, &seen).ok());  // repeat
    EXPECT_EQ(seen.documents_size(), 1);
    EXPECT_EQ(T().AddEngagementDocument(As(Inst(Code(108, 9))).get(), add, &seen).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::GetEngagementRequest get;
  get.set_name(secret.name());
  for (const auto& who : {Inst(inst), Ent(ent), County(kLucheng), City()}) {
    ASSERT_TRUE(T().GetEngagement(TrackingEnv::As(who).get(), get, &seen).ok());
    EXPECT_EQ(seen.documents_size(), 1) << who.subject;
    EXPECT_EQ(seen.confidentiality_agreement_document_id(), "doc-nda-1");
    EXPECT_FALSE(seen.documents_withheld());
  }
  ASSERT_TRUE(T().GetEngagement(As(Service()).get(), get, &seen).ok());
  EXPECT_EQ(seen.documents_size(), 0);
  EXPECT_TRUE(seen.confidentiality_agreement_document_id().empty());
  EXPECT_TRUE(seen.documents_withheld());
  EXPECT_EQ(T().GetEngagement(As(County(kLongwan)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A non-confidential engagement's documents are not withheld from the service.
  get.set_name(open.name());
  ASSERT_TRUE(T().GetEngagement(As(Service()).get(), get, &seen).ok());
  EXPECT_EQ(seen.documents_size(), 1);
  EXPECT_FALSE(seen.documents_withheld());
}

}  // namespace
}  // namespace zhigai::tracking
