// The review service against a real PostgreSQL over real in-process gRPC: every state change
// and every rule with its boundaries. Each TEST creates its own call and data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/core/sha256.h"
#include "libs/wire/testing/literals.h"
#include "services/review/admission.h"
#include "services/review/tests/fixture.h"
#include "services/review/tests/flow.h"

namespace zhigai::review::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Each test has a database of its own: the city runs one call a year (R4.1), and most tests
// run theirs in 2026.
class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = std::make_unique<ReviewHarness>();
    flow_ = std::make_unique<Flow>(*h_);
  }
  void TearDown() override {
    flow_.reset();
    h_.reset();
    h_ = nullptr;
  }
  ReviewHarness& h() { return *h_; }
  v1::ReviewService::Stub& stub() { return h_->stub(); }
  Flow& flow() { return *flow_; }

  static inline std::unique_ptr<ReviewHarness> h_;
  std::unique_ptr<Flow> flow_;
};

// ---------------------------------------------------------------- calls (R4.1, R4.2)

TEST_F(ReviewTest, ABadCallNamesEveryFieldAndRuleAndWritesNothing) {
  const int64_t calls = h().Count("calls"), audits = h().Count("audit_log");
  v1::Call bad = CityCall(2026);
  *bad.mutable_closing_date() = wire::testing::D("2026-02-01");  // before the opening date
  bad.mutable_directions(0)->set_quota(0);                       // quota below 1
  bad.mutable_directions(1)->set_track_record_threshold(-1);
  bad.set_tie_policy(v1::TIE_POLICY_UNSPECIFIED);
  v1::CreateCallRequest req;
  *req.mutable_call() = bad;
  req.set_request_id("bad-call");
  v1::Call out;
  auto s = stub().CreateCall(As(City()).get(), req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto fields = FieldsOf(s);
  EXPECT_THAT(fields, Contains("call.closing_date"));
  EXPECT_THAT(fields, Contains("call.directions[0].quota"));
  EXPECT_THAT(fields, Contains("call.directions[1].track_record_threshold"));
  EXPECT_THAT(fields, Contains("call.tie_policy"));
  EXPECT_EQ(h().Count("calls"), calls);
  EXPECT_EQ(h().Count("audit_log"), audits);
}

// Issue 26: a call records the version of the application rules in force on 1 January of its
// year; the field is output only (a caller's value is ignored) and reads back as stored.
TEST_F(ReviewTest, ACallRecordsTheApplicationRulesVersionOfItsYear) {
  v1::CreateCallRequest req;
  *req.mutable_call() = CityCall(2033);
  req.mutable_call()->set_rule_version(7);
  req.set_request_id("rule-version-1");
  v1::Call created;
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &created).ok());
  EXPECT_EQ(created.rule_version(), 1);
  v1::GetCallRequest get;
  get.set_name(created.name());
  v1::Call read;
  ASSERT_TRUE(stub().GetCall(As(City()).get(), get, &read).ok());
  EXPECT_EQ(read.rule_version(), 1);
}

TEST_F(ReviewTest, TheCityRunsOneCallAYear) {
  v1::CreateCallRequest req;
  *req.mutable_call() = CityCall(2031);
  req.set_request_id("one-a-year-1");
  v1::Call first, second;
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &first).ok());
  req.set_request_id("one-a-year-2");
  req.mutable_call()->set_display_name("第二次征集");
  grpc::Status s = stub().CreateCall(As(City()).get(), req, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(s), "CITY_CALL_EXISTS");
  EXPECT_EQ(RuleOf(s), "R4.1");
  EXPECT_EQ(h().Count("calls", "year = 2031"), 1) << "nothing written";
  // Another year, and a county's own call of the same year, are fine (R4.2).
  *req.mutable_call() = CityCall(2032);
  req.set_request_id("one-a-year-3");
  EXPECT_TRUE(stub().CreateCall(As(City()).get(), req, &second).ok());
}

TEST_F(ReviewTest, CountyCallsBelongToTheirCountyBureau) {
  v1::Call county = CityCall(2026);
  county.set_scope(common::v1::COUNTY);
  county.set_division_code("330303");
  v1::CreateCallRequest req;
  *req.mutable_call() = county;
  req.set_request_id("county-call");
  v1::Call out;
  // The city bureau does not run a county's own selection (R4.2).
  auto s = stub().CreateCall(As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Another county's bureau neither.
  s = stub().CreateCall(As(County("330304")).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = stub().CreateCall(As(County("330303")).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DRAFT);
  EXPECT_EQ(out.division_code(), "330303");
  // A county call without its division is bad input.
  county.clear_division_code();
  *req.mutable_call() = county;
  req.set_request_id("county-call-2");
  s = stub().CreateCall(As(County("330303")).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), Contains("call.division_code"));
  // The same request id answers the first answer (idempotent create).
  *req.mutable_call() = CityCall(2026);
  req.set_request_id("city-idem");
  v1::Call first, second;
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &first).ok());
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
}

TEST_F(ReviewTest, TheCallMovesOnlyForwardAndOnlyWithTheCurrentVersion) {
  v1::CreateCallRequest req;
  *req.mutable_call() = CityCall(2027);
  req.set_request_id("lifecycle");
  v1::Call draft;
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &draft).ok());
  EXPECT_EQ(draft.state(), v1::DRAFT);
  // A DRAFT is for bureaus only.
  v1::GetCallRequest get;
  get.set_name(draft.name());
  v1::Call seen;
  EXPECT_EQ(stub().GetCall(As(Public()).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A DRAFT may change.
  v1::UpdateCallRequest upd;
  *upd.mutable_call() = draft;
  upd.mutable_call()->set_notice_period_days(7);
  upd.mutable_update_mask()->add_paths("notice_period_days");
  v1::Call updated;
  ASSERT_TRUE(stub().UpdateCall(As(City()).get(), upd, &updated).ok());
  EXPECT_EQ(updated.notice_period_days(), 7);
  EXPECT_EQ(updated.version(), draft.version() + 1);
  // Stale version → ABORTED.
  v1::Call out;
  EXPECT_EQ(flow().TryMove(&v1::ReviewService::Stub::OpenCall, draft, &out).error_code(),
            grpc::StatusCode::ABORTED);
  // Skipping a state is refused with the rule.
  auto skip = flow().TryMove(&v1::ReviewService::Stub::CloseCall, updated, &out);
  EXPECT_EQ(skip.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(skip), "INVALID_CALL_TRANSITION");
  EXPECT_EQ(RuleOf(skip), "R4.1");
  // Only the call's bureau moves it.
  EXPECT_EQ(flow()
                .TryMove(&v1::ReviewService::Stub::OpenCall, updated, &out, County("330302"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Call open = flow().Move(&v1::ReviewService::Stub::OpenCall, updated);
  EXPECT_EQ(open.state(), v1::OPEN);
  EXPECT_TRUE(stub().GetCall(As(Public()).get(), get, &seen).ok());
  // No more changes once open.
  *upd.mutable_call() = open;
  auto frozen = stub().UpdateCall(As(City()).get(), upd, &out);
  EXPECT_EQ(frozen.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(frozen), "CALL_NOT_DRAFT");
  v1::Call closed = flow().Move(&v1::ReviewService::Stub::CloseCall, open);
  EXPECT_EQ(closed.state(), v1::CLOSED);
  v1::Call reviewing = flow().Move(&v1::ReviewService::Stub::StartReview, closed);
  EXPECT_EQ(reviewing.state(), v1::REVIEWING);
  // The notice needs a selection first; FinishCall cannot skip the notice.
  auto no_selection = flow().TryMove(&v1::ReviewService::Stub::StartPublicNotice, reviewing, &out);
  EXPECT_EQ(ReasonOf(no_selection), "SELECTION_NOT_MADE");
  v1::FinishCallResponse fin;
  v1::FinishCallRequest t;
  t.set_name(reviewing.name());
  t.set_version(reviewing.version());
  auto early = stub().FinishCall(As(City()).get(), t, &fin);
  EXPECT_EQ(ReasonOf(early), "INVALID_CALL_TRANSITION");
  // Every accepted change left an audit row.
  EXPECT_EQ(h().Count("audit_log", absl::StrCat("entity_id = '", draft.name(), "'")), 5);
}

// A state the enum does not know is a corrupt row: DATA_LOSS naming the column, never a call
// that reads as CALL_STATE_UNSPECIFIED (libs/db/enum_column.h).
TEST_F(ReviewTest, AStoredStateTheEnumDoesNotKnowIsDataLossNotUnspecified) {
  v1::CreateCallRequest req;
  *req.mutable_call() = CityCall(2033);
  req.set_request_id("corrupt-state-1");
  v1::Call call;
  ASSERT_TRUE(stub().CreateCall(As(City()).get(), req, &call).ok());
  ASSERT_TRUE(h().database().Admin()->ExecScript("UPDATE review.calls SET state = 'OPNE'").ok());
  v1::GetCallRequest get;
  get.set_name(call.name());
  v1::Call read;
  grpc::Status s = stub().GetCall(As(City()).get(), get, &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(ReasonOf(s), "DATA_LOSS");
  EXPECT_THAT(s.error_message(), Not(HasSubstr("OPNE"))) << "row contents stay in the log";
  EXPECT_TRUE(read.name().empty()) << "no call is returned at all";
  // The store's status, which the log records, names the column and what it holds.
  int64_t id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripPrefix(call.name(), "calls/"), &id));
  auto stored = h().store().GetCall(id);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(stored.status().message()), HasSubstr("calls.state holds \"OPNE\""));
}

TEST_F(ReviewTest, ListCallsPagesAndHidesDraftsFromThePublic) {
  // The city's one call of 2040 (opened) and two counties' own calls (drafts).
  for (int i = 0; i < 3; ++i) {
    v1::CreateCallRequest req;
    *req.mutable_call() = CityCall(2040);
    const std::string division = i == 1 ? "330302" : "330303";
    if (i > 0) {
      req.mutable_call()->set_scope(common::v1::COUNTY);
      req.mutable_call()->set_division_code(division);
    }
    req.set_request_id(absl::StrCat("list-", i));
    v1::Call out;
    grpc::Status s = stub().CreateCall(As(i == 0 ? City() : County(division)).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (i == 0) flow().Move(&v1::ReviewService::Stub::OpenCall, out);
  }
  v1::ListCallsRequest req;
  req.set_year(2040);
  req.set_page_size(2);
  v1::ListCallsResponse page1, page2, pub;
  ASSERT_TRUE(stub().ListCalls(As(City()).get(), req, &page1).ok());
  EXPECT_EQ(page1.calls_size(), 2);
  ASSERT_FALSE(page1.next_page_token().empty());
  req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(stub().ListCalls(As(City()).get(), req, &page2).ok());
  EXPECT_EQ(page2.calls_size(), 1);
  EXPECT_TRUE(page2.next_page_token().empty());
  req.clear_page_token();
  req.set_page_size(0);
  ASSERT_TRUE(stub().ListCalls(As(Public()).get(), req, &pub).ok());
  EXPECT_EQ(pub.calls_size(), 1);
  req.set_page_size(5000);
  EXPECT_EQ(stub().ListCalls(As(City()).get(), req, &pub).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------------- applications (R4.1, R5, R6.1)

TEST_F(ReviewTest, ApplicationsAreTakenOnlyInsideTheWindowBothDaysIncluded) {
  v1::Call call = flow().OpenCall(CityCall(2028));
  v1::Application app;
  const std::string code = Code(101);
  h().SetToday(absl::CivilDay(2028, 2, 29));
  auto early = flow().TryCreate(call, GoodApplication(code, "早到机构", 2028), &app);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(early), "SUBMISSION_TOO_EARLY");
  EXPECT_THAT(early.error_message(), HasSubstr("2028-03-01"));
  h().SetToday(absl::CivilDay(2028, 4, 1));
  auto late = flow().TryCreate(call, GoodApplication(code, "迟到机构", 2028), &app);
  EXPECT_EQ(ReasonOf(late), "SUBMISSION_TOO_LATE");
  EXPECT_THAT(late.error_message(), HasSubstr("2028-03-31"));
  h().SetToday(absl::CivilDay(2028, 3, 31));  // the closing day itself is inside
  ASSERT_TRUE(flow().TryCreate(call, GoodApplication(code, "准时机构", 2028), &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_DRAFT);
  // One application per applicant and call.
  v1::Application again;
  EXPECT_EQ(flow().TryCreate(call, GoodApplication(code, "准时机构", 2028), &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Submission on the day after closing is refused with the dates; closing stops it too.
  h().SetToday(absl::CivilDay(2028, 4, 1));
  v1::SubmitApplicationRequest sub;
  sub.set_name(app.name());
  sub.set_version(app.version());
  v1::Application out;
  auto s = stub().SubmitApplication(As(Inst(code)).get(), sub, &out);
  EXPECT_EQ(ReasonOf(s), "SUBMISSION_TOO_LATE");
  h().SetToday(absl::CivilDay(2028, 3, 31));
  v1::Call closed = flow().Move(&v1::ReviewService::Stub::CloseCall, call);
  s = stub().SubmitApplication(As(Inst(code)).get(), sub, &out);
  EXPECT_EQ(ReasonOf(s), "CALL_NOT_OPEN");
  EXPECT_EQ(closed.state(), v1::CLOSED);
}

// R14.4/R14.5 in the seams: the registry holds the sanctions, review asks it at submission.
TEST_F(ReviewTest, ABarredOrCancelledApplicantOrConsortiumMemberCannotSubmit) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  h().SetToday(absl::CivilDay(2026, 3, 10));
  auto& registry = h().registry();
  const std::string barred = Code(601), lead = Code(602), cancelled_member = Code(603);
  for (const auto& code : {barred, lead, cancelled_member}) ASSERT_TRUE(registry.Register(code));
  ASSERT_FALSE(registry.Sanction(barred, registry::v1::BAR, "2025-11-01").empty());
  ASSERT_FALSE(registry.Sanction(cancelled_member, registry::v1::CANCEL, "2026-02-01").empty());
  auto submit = [&](const v1::Application& app, const std::string& who) {
    v1::SubmitApplicationRequest req;
    req.set_name(app.name());
    req.set_version(app.version());
    v1::Application out;
    return stub().SubmitApplication(As(Inst(who)).get(), req, &out);
  };
  v1::Application draft;
  ASSERT_TRUE(flow().TryCreate(call, GoodApplication(barred, "禁入机构"), &draft).ok());
  grpc::Status s = submit(draft, barred);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "APPLICANT_SANCTIONED");
  EXPECT_EQ(RuleOf(s), "R14.5");
  v1::Application consortium = GoodApplication(lead, "联合体牵头单位");
  for (auto [code, is_lead] : {std::pair{lead, true}, std::pair{cancelled_member, false}}) {
    auto* m = consortium.add_consortium_members();
    m->set_credit_code(code);
    m->set_display_name(is_lead ? "联合体牵头单位" : "方案供应商");
    m->set_role(is_lead ? v1::ENGINEERING_SERVICE : v1::SOLUTION_SUPPLIER);
    m->set_lead(is_lead);
  }
  v1::Application with_member;
  ASSERT_TRUE(flow().TryCreate(call, consortium, &with_member).ok());
  s = submit(with_member, lead);
  EXPECT_EQ(ReasonOf(s), "APPLICANT_SANCTIONED");
  EXPECT_EQ(RuleOf(s), "R14.4");
  EXPECT_NE(s.error_message().find(cancelled_member), std::string::npos) << s.error_message();
  EXPECT_EQ(h().Count("applications",
                      "state = 'APPLICATION_DRAFT' AND id IN (" +
                          draft.name().substr(draft.name().rfind('/') + 1) + ", " +
                          with_member.name().substr(with_member.name().rfind('/') + 1) + ")"),
            2)
      << "both stay drafts";
  // The registry down: the submission cannot be judged, nothing changes, retry later.
  registry.Stop();
  s = submit(draft, barred);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(s), "REGISTRY_UNAVAILABLE");
  registry.Start();
  for (int i = 0; i < 100 && ReasonOf(s) != "APPLICANT_SANCTIONED"; ++i) {  // reconnected
    absl::SleepFor(absl::Milliseconds(50));
    s = submit(draft, barred);
  }
  EXPECT_EQ(ReasonOf(s), "APPLICANT_SANCTIONED") << "the same request is judged once it is back";
}

TEST_F(ReviewTest, AnInstitutionAppliesOnlyForItselfAndSeesOnlyItsOwnApplication) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  const std::string mine = Code(111), other = Code(112);
  v1::CreateApplicationRequest req;
  req.set_parent(call.name());
  *req.mutable_application() = GoodApplication(mine, "本单位", 2026);
  // The profile is a registry Institution: its resource fields are the registry's, not filed.
  req.mutable_application()->mutable_profile()->set_name("institutions/" + mine);
  req.mutable_application()->mutable_profile()->set_version(7);
  req.set_request_id("own");
  v1::Application out;
  EXPECT_EQ(stub().CreateApplication(As(Inst(other)).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().CreateApplication(As(Inst(mine)).get(), req, &out).ok());
  v1::GetApplicationRequest get;
  get.set_name(out.name());
  v1::Application seen;
  EXPECT_TRUE(stub().GetApplication(As(Inst(mine)).get(), get, &seen).ok());
  EXPECT_EQ(seen.profile().contact().phone(), "13905770002");
  EXPECT_EQ(seen.profile().name(), "");
  EXPECT_EQ(seen.profile().version(), 0);
  EXPECT_EQ(stub().GetApplication(As(Inst(other)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub().GetApplication(As(Public()).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub().GetApplication(As(County("330303")).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Bad content names the fields.
  v1::Application bad = GoodApplication(Code(113), "坏申报", 2026);
  *bad.mutable_staff(0)->mutable_work_start_date() = wire::testing::D("2012-13-01");
  bad.mutable_profile()->clear_founded_date();
  bad.add_directions(common::v1::CONSULTING);
  *req.mutable_application() = bad;
  req.set_request_id("bad");
  auto s = stub().CreateApplication(As(Inst(Code(113))).get(), req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), Contains("application.staff[0].work_start_date"));
  EXPECT_THAT(FieldsOf(s), Contains("application.profile.founded_date"));
  EXPECT_THAT(FieldsOf(s), Contains("application.directions[2]"));
  // A draft can be corrected; the credit code cannot change.
  v1::UpdateApplicationRequest upd;
  *upd.mutable_application() = seen;
  upd.mutable_application()->mutable_letter()->set_team("十人团队");
  upd.mutable_update_mask()->add_paths("letter");
  v1::Application changed;
  ASSERT_TRUE(stub().UpdateApplication(As(Inst(mine)).get(), upd, &changed).ok());
  EXPECT_EQ(changed.letter().team(), "十人团队");
  *upd.mutable_application() = changed;
  upd.mutable_application()->mutable_profile()->set_credit_code(other);
  upd.mutable_update_mask()->add_paths("profile");
  EXPECT_EQ(stub().UpdateApplication(As(Inst(mine)).get(), upd, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReviewTest, TheChecklistJudgesEveryRuleAndEachDirectionSeparately) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  // All pass.
  v1::Application good = flow().Apply(call, GoodApplication(Code(121), "合格机构"));
  for (const auto& r : good.results()) EXPECT_EQ(r.eligibility(), v1::ELIGIBLE);
  // R5.1: a branch is never failed automatically: NEEDS_MANUAL_DECISION.
  v1::Application branch_app = GoodApplication(Code(122), "分支机构");
  branch_app.mutable_profile()->set_legal_form(registry::v1::BRANCH);
  v1::Application branch = flow().Apply(call, branch_app);
  auto cl = flow().Checklist(branch);
  ASSERT_GE(cl.lines_size(), 4);
  EXPECT_EQ(cl.lines(0).rule_id(), "R5.1");
  EXPECT_EQ(cl.lines(0).result(), v1::NEEDS_MANUAL_DECISION);
  for (const auto& o : cl.outcomes()) EXPECT_EQ(o.eligibility(), v1::PENDING);
  // R5.2 per direction: only one case in 2025 (one more in 2024 does not count) fails
  // CONSULTING while TRAINING passes.
  v1::Application cases_app = GoodApplication(Code(123), "案例不足");
  *cases_app.mutable_track_record(2)->mutable_date() = wire::testing::D("2024-12-31");
  v1::Application cases = flow().Apply(call, cases_app);
  for (const auto& r : cases.results()) {
    EXPECT_EQ(r.eligibility(),
              r.direction() == common::v1::CONSULTING ? v1::INELIGIBLE : v1::ELIGIBLE);
  }
  // An unsuccessful case never counts.
  v1::Application failed_case_app = GoodApplication(Code(124), "失败案例");
  failed_case_app.mutable_track_record(0)->set_successful(false);
  EXPECT_EQ(flow().Apply(call, failed_case_app).results(0).eligibility(), v1::INELIGIBLE);
  // R5.3 degree route counted to the closing date 2026-03-31: a bachelor with exactly five full
  // years qualifies, one day fewer does not.
  v1::Application staff_app = GoodApplication(Code(125), "学历折算");
  auto* s0 = staff_app.mutable_staff(0);
  s0->set_title(v1::NO_TITLE);
  s0->set_title_in_related_field(false);
  *s0->mutable_work_start_date() = wire::testing::D("2021-03-31");
  EXPECT_EQ(flow().Apply(call, staff_app).results(0).eligibility(), v1::ELIGIBLE);
  staff_app.mutable_profile()->set_credit_code(Code(126));
  *staff_app.mutable_staff(0)->mutable_work_start_date() = wire::testing::D("2021-04-01");
  v1::Application short_staff = flow().Apply(call, staff_app);
  auto staff_line = flow().Checklist(short_staff).lines(3);
  EXPECT_EQ(staff_line.rule_id(), "R5.3");
  EXPECT_EQ(staff_line.result(), v1::FAIL);
  // A master's degree needs one year; a non-resident never counts.
  v1::Application master_app = GoodApplication(Code(127), "硕士折算");
  master_app.mutable_staff(1)->set_title(v1::JUNIOR);
  master_app.mutable_staff(1)->set_degree(v1::MASTER);
  *master_app.mutable_staff(1)->mutable_work_start_date() = wire::testing::D("2025-03-31");
  EXPECT_EQ(flow().Apply(call, master_app).results(0).eligibility(), v1::ELIGIBLE);
  v1::Application away_app = GoodApplication(Code(128), "非常驻");
  away_app.mutable_staff(2)->set_resident_in_wenzhou(false);
  EXPECT_EQ(flow().Apply(call, away_app).results(0).eligibility(), v1::INELIGIBLE);
  // R5.4: four aspects declared but no documents → FAIL naming them.
  v1::Application qc = flow().Apply(call, GoodApplication(Code(129), "无质控文件"), false);
  auto qc_line = flow().Checklist(qc).lines(4);
  EXPECT_EQ(qc_line.rule_id(), "R5.4");
  EXPECT_EQ(qc_line.result(), v1::FAIL);
  EXPECT_THAT(qc_line.reason(), HasSubstr("DELIVERABLES"));
  // R5.1 consortium with two leads fails even though the legal form passes.
  v1::Application consortium_app = GoodApplication(Code(130), "联合体");
  for (int i : {130, 131}) {
    auto* m = consortium_app.add_consortium_members();
    m->set_credit_code(Code(i));
    m->set_display_name(absl::StrCat("成员", i));
    m->set_role(v1::SOLUTION_SUPPLIER);
    m->set_lead(true);
  }
  auto malformed = flow().Checklist(flow().Apply(call, consortium_app));
  EXPECT_EQ(malformed.lines(0).result(), v1::FAIL);
}

TEST_F(ReviewTest, TheBureauDecidesOrOverridesALineWithAReasonAndItIsAudited) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  v1::Application app = GoodApplication(Code(141), "社会组织");
  app.mutable_profile()->set_legal_form(registry::v1::SOCIAL_ORGANISATION);
  v1::Application branch = flow().Apply(call, app);
  // No reason, no decision.
  auto s = flow().Decide(branch, "R5.1", true, common::v1::DIRECTION_UNSPECIFIED, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), Contains("reason"));
  // R5.2 lines need a direction.
  EXPECT_EQ(flow().Decide(branch, "R5.2", true).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Only the bureau running the call decides.
  EXPECT_EQ(
      flow()
          .Decide(branch, "R5.1", true, common::v1::DIRECTION_UNSPECIFIED, "理由", County("330302"))
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // The review cannot start while a manual decision is open.
  v1::Call closed = flow().Move(&v1::ReviewService::Stub::CloseCall, call);
  v1::Call out;
  auto pending = flow().TryMove(&v1::ReviewService::Stub::StartReview, closed, &out);
  EXPECT_EQ(ReasonOf(pending), "MANUAL_DECISIONS_PENDING");
  const int64_t audits = h().Count("audit_log", "method LIKE '%DecideChecklistItem'");
  v1::EligibilityChecklist decided;
  ASSERT_TRUE(flow()
                  .Decide(branch, "R5.1", true, common::v1::DIRECTION_UNSPECIFIED,
                          "经核实具备独立承担服务的能力", City(), &decided)
                  .ok());
  EXPECT_EQ(decided.lines(0).result(), v1::NEEDS_MANUAL_DECISION);  // computed result kept
  EXPECT_EQ(decided.lines(0).effective_result(), v1::PASS);
  EXPECT_EQ(decided.lines(0).decision().decided_by(), "city-officer");
  for (const auto& o : decided.outcomes()) EXPECT_EQ(o.eligibility(), v1::ELIGIBLE);
  // An override of a computed PASS, per direction.
  ASSERT_TRUE(
      flow()
          .Decide(branch, "R5.2", false, common::v1::TRAINING, "培训活动材料不实", City(), &decided)
          .ok());
  EXPECT_EQ(decided.lines(0).decision().decided_by(), "city-officer");  // earlier kept
  for (const auto& o : decided.outcomes()) {
    EXPECT_EQ(o.eligibility(),
              o.direction() == common::v1::TRAINING ? v1::INELIGIBLE : v1::ELIGIBLE);
  }
  EXPECT_EQ(h().Count("audit_log", "method LIKE '%DecideChecklistItem'"), audits + 2);
  v1::Call reviewing = flow().Move(&v1::ReviewService::Stub::StartReview, flow().Get(call));
  EXPECT_EQ(reviewing.state(), v1::REVIEWING);
}

// ---------------------------------------------------------------- documents (R6.1)

TEST_F(ReviewTest, DocumentsRoundTripWithTheirChecksumAndBadUploadsStoreNothing) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  const std::string code = Code(151);
  v1::Application app;
  ASSERT_TRUE(flow().TryCreate(call, GoodApplication(code, "材料机构"), &app).ok());
  const auto who = Inst(code);
  const std::string content = PdfBytes(3 * 1024 * 1024 + 17, 7);
  v1::Document doc;
  auto s = Upload(stub(), who, app.name(), v1::APPLICATION_LETTER, content, "letter", &doc, 100000);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(doc.size_bytes(), static_cast<int64_t>(content.size()));
  EXPECT_EQ(doc.sha256(), core::Sha256Hex(content));
  // The same request id again: the first answer, nothing new.
  v1::Document again;
  ASSERT_TRUE(
      Upload(stub(), who, app.name(), v1::APPLICATION_LETTER, content, "letter", &again).ok());
  EXPECT_EQ(again.name(), doc.name());
  const std::string app_id = app.name().substr(app.name().rfind('/') + 1);
  EXPECT_EQ(h().Count("documents", "application_id = " + app_id), 1);
  // Download as a stream.
  v1::DownloadDocumentRequest dl;
  dl.set_name(doc.name());
  auto ctx = As(City());
  auto reader = stub().DownloadDocument(ctx.get(), dl);
  v1::DownloadDocumentResponse part;
  std::string got;
  bool first = true;
  while (reader->Read(&part)) {
    if (first) {
      EXPECT_EQ(part.document().sha256(), doc.sha256());
    }
    first = false;
    got += part.chunk();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(got, content);
  // Others may not read it.
  auto other_ctx = As(Inst(Code(152)));
  auto denied = stub().DownloadDocument(other_ctx.get(), dl);
  while (denied->Read(&part)) {
  }
  EXPECT_EQ(denied->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);

  const int64_t docs = h().Count("documents"), chunks = h().Count("document_chunks");
  // Checksum mismatch: refused, nothing stored.
  {
    auto c2 = As(who);
    v1::Document out;
    auto w = stub().UploadDocument(c2.get(), &out);
    v1::UploadDocumentRequest head;
    head.mutable_header()->set_parent(app.name());
    head.mutable_header()->set_request_id("bad-sum");
    head.mutable_header()->mutable_document()->set_display_name("a.pdf");
    head.mutable_header()->mutable_document()->set_content_type("application/pdf");
    head.mutable_header()->mutable_document()->set_purpose(v1::SUPPORTING);
    head.mutable_header()->set_size_bytes(4096);
    head.mutable_header()->set_sha256(std::string(64, 'a'));
    w->Write(head);
    v1::UploadDocumentRequest body;
    body.set_chunk(PdfBytes(4096, 3));
    w->Write(body);
    w->WritesDone();
    auto st = w->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(FieldsOf(st), Contains("header.sha256"));
  }
  // A declared size above 20 MiB, a wrong type, a body that is not a PDF.
  {
    auto c3 = As(who);
    v1::Document out;
    auto w = stub().UploadDocument(c3.get(), &out);
    v1::UploadDocumentRequest head;
    auto* hd = head.mutable_header();
    hd->set_parent(app.name());
    hd->set_request_id("too-big");
    hd->mutable_document()->set_display_name("big.pdf");
    hd->mutable_document()->set_content_type("application/zip");
    hd->mutable_document()->set_purpose(v1::SUPPORTING);
    hd->set_size_bytes(20 * 1024 * 1024 + 1);
    hd->set_sha256(std::string(64, 'b'));
    w->Write(head);
    w->WritesDone();
    auto st = w->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(FieldsOf(st), Contains("content"));
    EXPECT_THAT(FieldsOf(st), Contains("content_type"));
  }
  v1::Document png;
  auto magic = Upload(stub(), who, app.name(), v1::CASE_PHOTO, PdfBytes(5000), "not-png", &png,
                      1000, "image/png");
  EXPECT_EQ(magic.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(magic), Contains("content"));
  // An interrupted upload (the client goes away half-way) leaves nothing behind ...
  {
    auto c4 = As(who);
    v1::Document out;
    auto w = stub().UploadDocument(c4.get(), &out);
    const std::string big = PdfBytes(2 * 1024 * 1024, 9);
    v1::UploadDocumentRequest head;
    auto* hd = head.mutable_header();
    hd->set_parent(app.name());
    hd->set_request_id("interrupted");
    hd->mutable_document()->set_display_name("half.pdf");
    hd->mutable_document()->set_content_type("application/pdf");
    hd->mutable_document()->set_purpose(v1::SUPPORTING);
    hd->set_size_bytes(static_cast<int64_t>(big.size()));
    hd->set_sha256(core::Sha256Hex(big));
    w->Write(head);
    v1::UploadDocumentRequest body;
    body.set_chunk(big.substr(0, 1024 * 1024));
    w->Write(body);
    c4->TryCancel();
    EXPECT_FALSE(w->Finish().ok());
    // ... and the same upload restarted completes.
    v1::Document restarted;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(h().Count("documents"), docs);
    EXPECT_EQ(h().Count("document_chunks"), chunks);
    ASSERT_TRUE(
        Upload(stub(), who, app.name(), v1::SUPPORTING, big, "interrupted", &restarted).ok());
    EXPECT_EQ(restarted.size_bytes(), static_cast<int64_t>(big.size()));
  }
  EXPECT_EQ(h().Count("documents"), docs + 1);
  EXPECT_EQ(h().Count("document_chunks"), chunks + 2);
}

TEST_F(ReviewTest, AnApplicationHoldsAtMost200MiBOfDocuments) {
  v1::Call call = flow().OpenCall(CityCall(2026));
  const std::string code = Code(161);
  v1::Application app;
  ASSERT_TRUE(flow().TryCreate(call, GoodApplication(code, "大文件机构"), &app).ok());
  const std::string app_id = app.name().substr(app.name().rfind('/') + 1);
  // Stand-in for earlier uploads: 200 MiB minus 100 bytes already recorded.
  auto admin = h().database().Admin();
  ASSERT_TRUE(admin
                  ->ExecScript(absl::StrCat(
                      "INSERT INTO review.documents (application_id, display_name, content_type,"
                      " purpose, size_bytes, sha256) VALUES (",
                      app_id, ", 'old.pdf', 'application/pdf', 'SUPPORTING', ",
                      200 * 1024 * 1024 - 100, ", '')"))
                  .ok());
  v1::Document doc;
  auto fits = Upload(stub(), Inst(code), app.name(), v1::SUPPORTING, PdfBytes(100), "exact", &doc);
  EXPECT_TRUE(fits.ok()) << fits.error_message();  // exactly 200 MiB is allowed
  auto over = Upload(stub(), Inst(code), app.name(), v1::SUPPORTING, PdfBytes(10, 2), "over", &doc);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(over), "APPLICATION_DOCUMENTS_TOO_LARGE");
  // After submission no more documents.
  v1::SubmitApplicationRequest sub;
  sub.set_name(app.name());
  sub.set_version(app.version());
  v1::Application submitted;
  ASSERT_TRUE(stub().SubmitApplication(As(Inst(code)).get(), sub, &submitted).ok());
  auto late = Upload(stub(), Inst(code), app.name(), v1::SUPPORTING, PdfBytes(10, 3), "late", &doc);
  EXPECT_EQ(ReasonOf(late), "APPLICATION_SUBMITTED");
}

// ---------------------------------------------------------------- experts (R7.1)

struct Reviewing {
  v1::Call call;
  std::vector<v1::Application> apps;
};

Reviewing ToReview(Flow& flow, v1::Call def, const std::vector<v1::Application>& apps) {
  Reviewing r;
  r.call = flow.OpenCall(def);
  for (const auto& a : apps) r.apps.push_back(flow.Apply(r.call, a));
  r.call = flow.Move(&v1::ReviewService::Stub::CloseCall, flow.Get(r.call));
  r.call = flow.Move(&v1::ReviewService::Stub::StartReview, r.call);
  return r;
}

TEST_F(ReviewTest, AConflictedAssignmentIsRefusedNamingR71AndExpertsSeeOnlyTheirApplications) {
  const std::string lead = Code(171), member = Code(172), tied = Code(173), plain = Code(174);
  v1::Application consortium = GoodApplication(lead, "牵头单位");
  for (auto [code, is_lead] : {std::pair{lead, true}, std::pair{member, false}}) {
    auto* m = consortium.add_consortium_members();
    m->set_credit_code(code);
    m->set_display_name("成员");
    m->set_role(is_lead ? v1::ENGINEERING_SERVICE : v1::SOLUTION_SUPPLIER);
    m->set_lead(is_lead);
  }
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(1);
  Reviewing r =
      ToReview(flow(), def,
               {consortium, GoodApplication(tied, "关联单位"), GoodApplication(plain, "普通单位")});
  v1::Expert employed = flow().AddExpert("x-employed", member);
  v1::Expert declared = flow().AddExpert("x-declared", "", {tied});
  v1::AssignExpertsResponse out;
  v1::Assignment a;
  a.set_application(r.apps[0].name());
  a.add_experts(employed.name());
  auto s = flow().Assign(r.call, {a}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_EQ(RuleOf(s), "R7.1");
  EXPECT_THAT(s.error_message(), HasSubstr("employer"));
  a.set_application(r.apps[1].name());
  a.set_experts(0, declared.name());
  s = flow().Assign(r.call, {a}, &out);
  EXPECT_EQ(ReasonOf(s), "EXPERT_CONFLICT");
  EXPECT_THAT(s.error_message(), HasSubstr("declared tie"));
  EXPECT_EQ(h().Count("assignments", absl::StrCat("call_id = ", r.call.name().substr(6))), 0);
  // By hand without conflict works; the expert then sees that one application only.
  a.set_application(r.apps[2].name());
  a.set_experts(0, employed.name());
  ASSERT_TRUE(flow().Assign(r.call, {a}, &out).ok());
  v1::GetApplicationRequest get;
  get.set_name(r.apps[2].name());
  v1::Application seen;
  ASSERT_TRUE(stub().GetApplication(As(ExpertPrincipal("x-employed")).get(), get, &seen).ok());
  EXPECT_FALSE(seen.profile().has_contact());  // contact people stay with bureau and applicant
  get.set_name(r.apps[0].name());
  auto hidden = stub().GetApplication(As(ExpertPrincipal("x-employed")).get(), get, &seen);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListApplicationsRequest list;
  list.set_parent(r.call.name());
  v1::ListApplicationsResponse listed;
  ASSERT_TRUE(stub().ListApplications(As(ExpertPrincipal("x-employed")).get(), list, &listed).ok());
  ASSERT_EQ(listed.applications_size(), 1);
  EXPECT_EQ(listed.applications(0).name(), r.apps[2].name());
  // Scoring an unassigned application is refused; the pool's personal data is for bureaus.
  EXPECT_EQ(
      flow().Score("x-employed", r.apps[1].name(), common::v1::CONSULTING, 5000, 3000).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListExpertsResponse experts;
  EXPECT_EQ(
      stub().ListExperts(As(Inst(plain)).get(), v1::ListExpertsRequest(), &experts).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Automatic assignment gives the two others a conflict-free expert each.
  flow().AddExpert("x-free-1");
  ASSERT_TRUE(flow().Assign(r.call, {}, &out).ok());
  EXPECT_EQ(out.assignments_size(), 3);
  for (const auto& asg : out.assignments()) {
    ASSERT_EQ(asg.experts_size(), 1);
    if (asg.application() == r.apps[0].name()) {
      EXPECT_NE(asg.experts(0), employed.name());
    }
    if (asg.application() == r.apps[1].name()) {
      EXPECT_NE(asg.experts(0), declared.name());
    }
  }
}

TEST_F(ReviewTest, ScoresAreCheckedTrimmedWithFiveExpertsAndSelectionAppliesTheTiePolicy) {
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(5);
  def.mutable_directions(0)->set_quota(1);
  def.mutable_directions(1)->set_selection_mode(v1::CUT_OFF);
  def.mutable_directions(1)->set_cut_off_hundredths(8000);
  def.set_tie_policy(v1::ALL_OUT);
  std::vector<v1::Application> apps = {GoodApplication(Code(181), "甲"),
                                       GoodApplication(Code(182), "乙"),
                                       GoodApplication(Code(183), "丙")};
  Reviewing r = ToReview(flow(), def, apps);
  std::vector<std::string> experts;
  std::map<std::string, std::string> ids;
  for (int i = 0; i < 5; ++i) {
    experts.push_back(absl::StrCat("s5-", i));
    const std::string name = flow().AddExpert(experts.back()).name();
    ids[experts.back()] = name.substr(name.rfind('/') + 1);
  }
  auto ExpertId = [&](const std::string& subject) { return ids[subject]; };
  // By hand: the pool is shared with the other tests of this binary.
  std::vector<v1::Assignment> plan;
  for (const auto& app : r.apps) {
    v1::Assignment a;
    a.set_application(app.name());
    for (const auto& e : experts) a.add_experts("experts/" + ExpertId(e));
    plan.push_back(a);
  }
  v1::AssignExpertsResponse out;
  ASSERT_TRUE(flow().Assign(r.call, plan, &out).ok());
  // A score above full marks names the field.
  auto bad = flow().Score(experts[0], r.apps[0].name(), common::v1::CONSULTING, 6001, 0);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(bad), Contains("sheet.scores[0].score_hundredths"));
  // Selection before every expert scored is refused.
  v1::SelectionResult sel;
  ASSERT_TRUE(flow().Score(experts[0], r.apps[0].name(), common::v1::CONSULTING, 5000, 3000).ok());
  EXPECT_EQ(ReasonOf(flow().Select(r.call, &sel)), "SCORES_INCOMPLETE");
  // 甲 and 乙 both: 100, 90, 85, 80, 10 → trimmed mean (90+85+80)/3 = 85.00 (untrimmed would
  // be 73); 丙: 84 from everyone. CONSULTING quota 1 with 甲 and 乙 tied on first place and
  // ALL_OUT → nobody; TRAINING cut-off 80.00 → all three.
  const int64_t sheet[5][2] = {{6000, 4000}, {5000, 4000}, {5000, 3500}, {5000, 3000}, {500, 500}};
  for (int app = 0; app < 3; ++app) {
    for (int e = 0; e < 5; ++e) {
      for (auto d : {common::v1::CONSULTING, common::v1::TRAINING}) {
        const int64_t a = app < 2 ? sheet[e][0] : 5000, c = app < 2 ? sheet[e][1] : 3400;
        auto s = flow().Score(experts[e], r.apps[app].name(), d, a, c);
        ASSERT_TRUE(s.ok()) << s.error_message();
      }
    }
  }
  auto s = flow().Select(r.call, &sel);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(sel.directions_size(), 2);
  const auto& consulting = sel.directions(0);
  EXPECT_TRUE(consulting.boundary_tie());
  EXPECT_EQ(consulting.selected_count(), 0);
  ASSERT_EQ(consulting.ranking_size(), 3);
  EXPECT_EQ(consulting.ranking(0).score_hundredths(), 8500);
  EXPECT_EQ(consulting.ranking(0).experts_counted(), 3);
  EXPECT_EQ(consulting.ranking(0).experts_scored(), 5);
  EXPECT_EQ(consulting.ranking(1).rank(), 1);
  EXPECT_EQ(consulting.ranking(2).rank(), 3);
  EXPECT_EQ(sel.directions(1).selected_count(), 3);
  // The application shows its results.
  v1::GetApplicationRequest get;
  get.set_name(r.apps[2].name());
  v1::Application seen;
  ASSERT_TRUE(stub().GetApplication(As(City()).get(), get, &seen).ok());
  for (const auto& res : seen.results()) {
    EXPECT_EQ(res.score_hundredths(), 8400);
    EXPECT_EQ(res.selected(), res.direction() == common::v1::TRAINING);
  }
}

// ---------------------------------------------------------------- notice and objections

TEST_F(ReviewTest, ThePublicNoticeTakesObjectionsInItsPeriodAndTheEndAdmitsTheRest) {
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(1);
  Reviewing r = ToReview(
      flow(), def, {GoodApplication(Code(191), "公示甲"), GoodApplication(Code(192), "公示乙")});
  const v1::Expert n1 = flow().AddExpert("n-1");
  std::vector<v1::Assignment> plan;
  for (const auto& app : r.apps) {
    v1::Assignment a;
    a.set_application(app.name());
    a.add_experts(n1.name());
    plan.push_back(a);
  }
  v1::AssignExpertsResponse asg;
  ASSERT_TRUE(flow().Assign(r.call, plan, &asg).ok());
  for (const auto& a : r.apps) {
    for (auto d : {common::v1::CONSULTING, common::v1::TRAINING}) {
      ASSERT_TRUE(flow().Score("n-1", a.name(), d, 5000, 3000).ok());
    }
  }
  v1::SelectionResult sel;
  ASSERT_TRUE(flow().Select(r.call, &sel).ok());
  v1::GetPublicNoticeRequest pn;
  pn.set_call(r.call.name());
  v1::PublicNotice notice;
  EXPECT_EQ(ReasonOf(stub().GetPublicNotice(As(Public()).get(), pn, &notice)),
            "NOTICE_NOT_PUBLISHED");
  h().SetToday(absl::CivilDay(2026, 6, 1));
  v1::Call in_notice = flow().Move(&v1::ReviewService::Stub::StartPublicNotice, flow().Get(r.call));
  EXPECT_EQ(wire::DateText(in_notice.notice_start_date()), "2026-06-01");
  EXPECT_EQ(wire::DateText(in_notice.notice_end_date()), "2026-06-05");
  ASSERT_TRUE(stub().GetPublicNotice(As(Public()).get(), pn, &notice).ok());
  EXPECT_EQ(notice.entries_size(), 4);
  const std::string wire = notice.SerializeAsString();
  EXPECT_FALSE(absl::StrContains(wire, "13905770002"));  // no phone
  EXPECT_FALSE(absl::StrContains(wire, "王五"));         // no contact name
  EXPECT_FALSE(absl::StrContains(wire, "工程师"));       // no staff names
  // Objections: authenticated callers only, inside the period, against what is shown.
  v1::FileObjectionRequest obj;
  obj.set_parent(r.call.name());
  obj.set_request_id("o-1");
  obj.mutable_objection()->set_application(r.apps[0].name());
  obj.mutable_objection()->set_direction(common::v1::TRAINING);
  obj.mutable_objection()->set_reason("培训活动照片系伪造");
  v1::Objection filed;
  EXPECT_EQ(stub().FileObjection(As(Public()).get(), obj, &filed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  h().SetToday(absl::CivilDay(2026, 6, 6));
  auto late = stub().FileObjection(As(Enterprise(Code(900))).get(), obj, &filed);
  EXPECT_EQ(ReasonOf(late), "OBJECTION_OUTSIDE_NOTICE_PERIOD");
  h().SetToday(absl::CivilDay(2026, 6, 5));  // the last day is inside
  ASSERT_TRUE(stub().FileObjection(As(Enterprise(Code(900))).get(), obj, &filed).ok());
  EXPECT_EQ(filed.status(), v1::OBJECTION_PENDING);
  // The notice is not over on its last day, and a pending objection blocks the end.
  v1::FinishCallRequest fin;
  fin.set_name(r.call.name());
  v1::FinishCallResponse done;
  fin.set_version(flow().Get(r.call).version());
  EXPECT_EQ(ReasonOf(stub().FinishCall(As(City()).get(), fin, &done)), "NOTICE_PERIOD_NOT_OVER");
  h().SetToday(absl::CivilDay(2026, 6, 6));
  EXPECT_EQ(ReasonOf(stub().FinishCall(As(City()).get(), fin, &done)), "OBJECTIONS_PENDING");
  // Only the call's bureau resolves, with a reason; once only.
  v1::ResolveObjectionRequest res;
  res.set_name(filed.name());
  res.set_uphold(true);
  res.set_resolution("经核查属实");
  res.set_version(filed.version());
  v1::Objection resolved;
  EXPECT_EQ(stub().ResolveObjection(As(County("330302")).get(), res, &resolved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().ResolveObjection(As(City()).get(), res, &resolved).ok());
  EXPECT_EQ(resolved.status(), v1::UPHELD);
  EXPECT_EQ(ReasonOf(stub().ResolveObjection(As(City()).get(), res, &resolved)),
            "OBJECTION_ALREADY_RESOLVED");
  int notified = 0;
  h().OnEnqueued([&] { ++notified; });
  ASSERT_TRUE(stub().FinishCall(As(City()).get(), fin, &done).ok());
  h().OnEnqueued(nullptr);
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(done.call().state(), v1::FINISHED);
  // 甲 loses TRAINING only; 乙 keeps both: three admissions. The registrations are enqueued
  // with the change; each admission waits until its applicant's registration is acknowledged.
  ASSERT_EQ(done.admissions_size(), 3);
  const std::string call_id = r.call.name().substr(6);
  EXPECT_EQ(h().Count("admissions", "call_id = " + call_id), 3);
  EXPECT_EQ(h().Count("outbox", absl::StrCat("command_id LIKE 'register:", call_id, ":%'")), 2);
  EXPECT_EQ(h().Count("outbox", absl::StrCat("command_id LIKE 'admit:", call_id, ":%'")), 0);
  AdmissionPromoter promoter(h().store(), nullptr);
  EXPECT_EQ(*promoter.RunOnce(), 0);
  auto admin = h().database().Admin();
  auto acknowledge = [&](const std::string& code) {
    ASSERT_TRUE(admin
                    ->ExecScript(absl::StrCat("UPDATE review.outbox SET delivered_at = now()"
                                              " WHERE command_id = 'register:",
                                              call_id, ":", code, "'"))
                    .ok());
  };
  acknowledge(Code(191));
  EXPECT_EQ(*promoter.RunOnce(), 1);
  EXPECT_EQ(h().Count("outbox", absl::StrCat("command_id = 'admit:", call_id, ":", Code(191),
                                             ":CONSULTING'")),
            1);
  acknowledge(Code(192));
  EXPECT_EQ(*promoter.RunOnce(), 2);
  EXPECT_EQ(*promoter.RunOnce(), 0);  // never twice
  EXPECT_EQ(h().Count("outbox", absl::StrCat("command_id LIKE 'admit:", call_id, ":%'")), 3);
  EXPECT_EQ(h().Count("outbox",
                      absl::StrCat("command_id = 'admit:", call_id, ":", Code(191), ":TRAINING'")),
            0);
  // Finishing twice is refused; nothing is enqueued twice.
  fin.set_version(done.call().version());
  EXPECT_EQ(ReasonOf(stub().FinishCall(As(City()).get(), fin, &done)), "INVALID_CALL_TRANSITION");
  EXPECT_EQ(h().Count("outbox", absl::StrCat("command_id LIKE '%:", call_id, ":%'")), 5);
}

}  // namespace
}  // namespace zhigai::review::testing
