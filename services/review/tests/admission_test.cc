// End to end in one process: the review service and a real registry (its own handlers and
// schema in the same test database), the outbox dispatcher between them. A whole call with
// fifteen applicants ends in the registry's directory; a registry that goes away during
// admission and comes back still ends with every admission exactly once.
#include "services/review/admission.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/outbox/outbox.h"
#include "libs/server/host.h"
#include "libs/wire/testing/literals.h"
#include "services/review/tests/fixture.h"
#include "services/review/tests/flow.h"

namespace zhigai::review::testing {
namespace {

// Every directory entry of `year` as "code:DIRECTION" (every status).
std::multiset<std::string> Directory(registry::testing::RegistryServer& registry, int year) {
  std::multiset<std::string> out;
  registry::v1::ListDirectoryEntriesRequest req;
  req.set_year(year);
  req.set_page_size(1000);
  registry::v1::ListDirectoryEntriesResponse resp;
  auto s = registry.stub().ListDirectoryEntries(As(Public()).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const auto& e : resp.entries()) {
    out.insert(absl::StrCat(e.credit_code(), ":", common::v1::Direction_Name(e.direction())));
  }
  return out;
}

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

outbox::DispatcherOptions DispatcherFor(int registry_port) {
  outbox::DispatcherOptions o;
  o.service = "review";
  o.internal_proof = kProof;
  o.peers["registry"] = absl::StrCat("127.0.0.1:", registry_port);
  o.poll = absl::Milliseconds(50);
  o.max_backoff = absl::Milliseconds(200);
  o.call_timeout = absl::Seconds(2);
  return o;
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::testing::TestDatabase::Create();
    review_ = std::make_unique<ReviewHarness>(db_.get());
    registry_ = &review_->registry();
    flow_ = std::make_unique<Flow>(*review_);
  }
  void TearDown() override { review_.reset(); }

  // Scores every eligible direction of every assigned application: the i-th expert (in the
  // order AssignExperts lists them) gives `ability` plus an offset, so that dropping the
  // highest and lowest of five leaves exactly `ability`; cases always 30.00.
  void ScoreAll(const v1::AssignExpertsResponse& assignments,
                const std::map<std::string, std::string>& subject_of,
                const std::map<std::string, int64_t>& ability_of,
                const std::map<std::string, std::vector<common::v1::Direction>>& directions_of) {
    static constexpr int64_t kOffsets[] = {400, 200, 0, -200, -2000};
    for (const auto& a : assignments.assignments()) {
      ASSERT_EQ(a.experts_size(), 5) << a.application();
      for (int i = 0; i < a.experts_size(); ++i) {
        for (auto d : directions_of.at(a.application())) {
          auto s = flow_->Score(subject_of.at(a.experts(i)), a.application(), d,
                                ability_of.at(a.application()) + kOffsets[i], 3000);
          ASSERT_TRUE(s.ok()) << s.error_message();
        }
      }
    }
  }

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<ReviewHarness> review_;
  registry::testing::RegistryServer* registry_ = nullptr;
  std::unique_ptr<Flow> flow_;
  int64_t h_count(const std::string& table, const std::string& where) {
    return review_->Count(table, where);
  }
};

v1::Application Consortium(const std::string& lead, const std::string& member) {
  v1::Application app = GoodApplication(lead, "联合体牵头单位");
  for (auto [code, is_lead] : {std::pair{lead, true}, std::pair{member, false}}) {
    auto* m = app.add_consortium_members();
    m->set_credit_code(code);
    m->set_display_name(is_lead ? "联合体牵头单位" : "方案供应商");
    m->set_role(is_lead ? v1::ENGINEERING_SERVICE : v1::SOLUTION_SUPPLIER);
    m->set_lead(is_lead);
  }
  return app;
}

TEST_F(AdmissionTest, AWholeCallEndsWithTheAdmittedSetInTheRegistryDirectory) {
  Flow& flow = *flow_;
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(5);
  def.mutable_directions(0)->set_quota(4);  // CONSULTING: top 4, ties at the boundary all in
  def.mutable_directions(1)->set_selection_mode(v1::CUT_OFF);
  def.mutable_directions(1)->set_cut_off_hundredths(8000);  // TRAINING: 80.00 and above
  def.set_tie_policy(v1::ALL_IN);
  v1::Call call = flow.OpenCall(def);

  // Fifteen applicants covering every checklist outcome.
  std::map<std::string, std::string> code;  // label → credit code
  for (const char* label : {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "B1", "B2", "C1", "C2",
                            "C3", "C4", "K1", "M1"}) {
    code[label] = Code(200 + static_cast<int>(code.size()));
  }
  std::map<std::string, v1::Application> app;
  for (const char* a : {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"}) {
    app[a] = flow.Apply(call, GoodApplication(code[a], absl::StrCat("机构", a)));
  }
  v1::Application b1 = GoodApplication(code["B1"], "分支机构B1");  // R5.1 manual → pass
  b1.mutable_profile()->set_legal_form(registry::v1::BRANCH);
  app["B1"] = flow.Apply(call, b1);
  v1::Application b2 = GoodApplication(code["B2"], "社会组织B2");  // R5.1 manual → fail
  b2.mutable_profile()->set_legal_form(registry::v1::SOCIAL_ORGANISATION);
  app["B2"] = flow.Apply(call, b2);
  v1::Application c1 = GoodApplication(code["C1"], "案例不足C1");  // R5.2 CONSULTING fails only
  *c1.mutable_track_record(2)->mutable_date() = wire::testing::D("2024-11-11");
  app["C1"] = flow.Apply(call, c1);
  v1::Application c2 = GoodApplication(code["C2"], "人员不足C2");  // R5.3 fails
  c2.mutable_staff(0)->set_resident_in_wenzhou(false);
  app["C2"] = flow.Apply(call, c2);
  app["C3"] = flow.Apply(call, GoodApplication(code["C3"], "无质控C3"), false);  // R5.4 fails
  app["C4"] =
      flow.Apply(call, GoodApplication(code["C4"], "质控补正C4"), false);  // R5.4 overridden
  app["K1"] = flow.Apply(call, Consortium(code["K1"], code["M1"]));

  // Checklist outcomes as computed.
  auto line = [&](const char* a, int i) { return flow.Checklist(app[a]).lines(i); };
  EXPECT_EQ(line("A1", 0).result(), v1::PASS);
  EXPECT_EQ(line("B1", 0).result(), v1::NEEDS_MANUAL_DECISION);
  EXPECT_EQ(line("B2", 0).result(), v1::NEEDS_MANUAL_DECISION);
  EXPECT_EQ(line("C1", 1).result(), v1::FAIL);
  EXPECT_EQ(line("C1", 2).result(), v1::PASS);
  EXPECT_EQ(line("C2", 3).result(), v1::FAIL);
  EXPECT_EQ(line("C3", 4).result(), v1::FAIL);
  EXPECT_EQ(line("K1", 0).result(), v1::PASS);
  // Bureau decisions: manual pass, manual fail, override of a computed FAIL.
  ASSERT_TRUE(flow.Decide(app["B1"], "R5.1", true, common::v1::DIRECTION_UNSPECIFIED,
                          "分支机构经总公司授权，独立承担责任")
                  .ok());
  ASSERT_TRUE(flow.Decide(app["B2"], "R5.1", false, common::v1::DIRECTION_UNSPECIFIED,
                          "社会组织不具备独立承担服务的条件")
                  .ok());
  ASSERT_TRUE(
      flow.Decide(app["C4"], "R5.4", true, common::v1::DIRECTION_UNSPECIFIED, "质控文件已现场核验")
          .ok());
  call = flow.Move(&v1::ReviewService::Stub::CloseCall, flow.Get(call));
  call = flow.Move(&v1::ReviewService::Stub::StartReview, call);

  // Experts: six free ones and one employed by the consortium's member.
  std::map<std::string, std::string> subject_of;
  for (int i = 0; i < 6; ++i) {
    auto e = flow.AddExpert(absl::StrCat("e2e-", i));
    subject_of[e.name()] = absl::StrCat("e2e-", i);
  }
  v1::Expert conflicted = flow.AddExpert("e2e-member", code["M1"]);
  subject_of[conflicted.name()] = "e2e-member";
  v1::AssignExpertsResponse assigned;
  v1::Assignment by_hand;
  by_hand.set_application(app["K1"].name());
  by_hand.add_experts(conflicted.name());
  auto refused = flow.Assign(call, {by_hand}, &assigned);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "EXPERT_CONFLICT");
  EXPECT_EQ(RuleOf(refused), "R7.1");
  ASSERT_TRUE(flow.Assign(call, {}, &assigned).ok());
  // Eligible somewhere: A1-A8, B1, C1, C4, K1 (B2, C2, C3 are not reviewed).
  ASSERT_EQ(assigned.assignments_size(), 12);
  for (const auto& a : assigned.assignments()) {
    if (a.application() == app["K1"].name()) {
      EXPECT_THAT(a.experts(), ::testing::Not(::testing::Contains(conflicted.name())));
    }
  }

  std::map<std::string, int64_t> ability = {{"A1", 5500}, {"A2", 5400}, {"A3", 5100}, {"A4", 5200},
                                            {"A5", 5200}, {"A6", 5000}, {"A7", 4500}, {"A8", 4000},
                                            {"B1", 4800}, {"C1", 5000}, {"C4", 4900}, {"K1", 5450}};
  std::map<std::string, int64_t> ability_of;
  std::map<std::string, std::vector<common::v1::Direction>> directions_of;
  for (const auto& [label, a] : ability) {
    ability_of[app[label].name()] = a;
    directions_of[app[label].name()] =
        label == "C1" ? std::vector{common::v1::TRAINING}
                      : std::vector{common::v1::CONSULTING, common::v1::TRAINING};
  }
  ScoreAll(assigned, subject_of, ability_of, directions_of);

  v1::SelectionResult selection;
  auto sel = flow.Select(call, &selection);
  ASSERT_TRUE(sel.ok()) << sel.error_message();
  ASSERT_EQ(selection.directions_size(), 2);
  // CONSULTING: A1 85, K1 84.5, A2 84, A4 = A5 = 82 tied on 4th place → both in (ALL_IN).
  const auto& consulting = selection.directions(0);
  EXPECT_TRUE(consulting.boundary_tie());
  EXPECT_EQ(consulting.selected_count(), 5);
  EXPECT_EQ(consulting.ranking(0).credit_code(), code["A1"]);
  EXPECT_EQ(consulting.ranking(0).score_hundredths(),
            8500);  // trimmed; untrimmed it would be 81.80
  EXPECT_EQ(consulting.ranking(0).experts_counted(), 3);
  EXPECT_EQ(consulting.ranking(3).rank(), 4);
  EXPECT_EQ(consulting.ranking(4).rank(), 4);
  // TRAINING: cut-off 80.00 inclusive.
  EXPECT_EQ(selection.directions(1).selected_count(), 8);

  review_->SetToday(absl::CivilDay(2026, 5, 4));
  call = flow.Move(&v1::ReviewService::Stub::StartPublicNotice, flow.Get(call));
  v1::PublicNotice notice;
  v1::GetPublicNoticeRequest pn;
  pn.set_call(call.name());
  ASSERT_TRUE(review_->stub().GetPublicNotice(As(Public()).get(), pn, &notice).ok());
  EXPECT_EQ(notice.entries_size(), 13);
  // One objection upheld (A2 in TRAINING), one rejected (A1).
  auto object = [&](const std::string& application, common::v1::Direction d, bool uphold) {
    v1::FileObjectionRequest req;
    req.set_parent(call.name());
    req.set_request_id(absl::StrCat("obj-", application, d));
    req.mutable_objection()->set_application(application);
    req.mutable_objection()->set_direction(d);
    req.mutable_objection()->set_reason("申报材料与实际不符");
    v1::Objection filed;
    ASSERT_TRUE(review_->stub().FileObjection(As(Inst(code["A8"])).get(), req, &filed).ok());
    v1::ResolveObjectionRequest res;
    res.set_name(filed.name());
    res.set_uphold(uphold);
    res.set_resolution(uphold ? "经核查属实" : "经核查不属实");
    res.set_version(filed.version());
    v1::Objection resolved;
    ASSERT_TRUE(review_->stub().ResolveObjection(As(City()).get(), res, &resolved).ok());
  };
  object(app["A2"].name(), common::v1::TRAINING, true);
  object(app["A1"].name(), common::v1::DIRECTION_UNSPECIFIED, false);

  // A1 is registered already (by the bureau, earlier): its registration command meets
  // ALREADY_EXISTS, which counts as delivered.
  registry::v1::CreateInstitutionRequest pre;
  pre.set_request_id("registered-before");
  auto* in = pre.mutable_institution();
  in->set_credit_code(code["A1"]);
  in->set_display_name("机构A1");
  in->set_legal_form(registry::v1::INDEPENDENT_LEGAL_PERSON);
  *in->mutable_founded_date() = wire::testing::D("2015-06-01");
  in->mutable_registered_address()->set_province("浙江省");
  in->mutable_registered_address()->set_city("温州市");
  in->set_ownership(registry::v1::PRIVATE);
  in->add_directions(common::v1::CONSULTING);
  registry::v1::Institution created;
  ASSERT_TRUE(registry_->stub().CreateInstitution(As(City()).get(), pre, &created).ok());

  // The dispatcher runs as in main.cc and is woken by the commit.
  outbox::Dispatcher dispatcher(review_->pool(), DispatcherFor(PortOf(registry_->address())));
  AdmissionPromoter promoter(
      review_->store(), [&] { dispatcher.Notify(); }, absl::Milliseconds(50));
  review_->OnEnqueued([&] { dispatcher.Notify(); });
  dispatcher.Start();
  promoter.Start();
  review_->SetToday(absl::CivilDay(2026, 5, 9));  // the notice ran 05-04 to 05-08
  v1::FinishCallRequest fin;
  fin.set_name(call.name());
  fin.set_version(flow.Get(call).version());
  v1::FinishCallResponse done;
  auto finished = review_->stub().FinishCall(As(City()).get(), fin, &done);
  ASSERT_TRUE(finished.ok()) << finished.error_message();
  EXPECT_EQ(done.admissions_size(), 12);
  EXPECT_EQ(review_->Count("audit_log", "method LIKE '%/FinishCall'"), 1)
      << "finishing the call is audited (issue 11)";
  // Done when all 8 registrations, 12 admissions and the notice's feed entry are out.
  for (int i = 0;
       i < 400 && (dispatcher.Counts()->pending > 0 || dispatcher.Counts()->delivered < 21); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  promoter.Stop();
  dispatcher.Stop();
  review_->OnEnqueued(nullptr);
  auto counts = dispatcher.Counts();
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(counts->failed, 0);
  // 12 admissions, 8 applicants registered or known, and the public notice (issue 25 item 2).
  EXPECT_EQ(counts->delivered, 12 + 8 + 1);
  registry::v1::ListPublicChangesRequest feed_req;
  registry::v1::ListPublicChangesResponse feed;
  ASSERT_TRUE(registry_->stub().ListPublicChanges(As(City()).get(), feed_req, &feed).ok());
  int notices = 0;
  for (const auto& change : feed.changes()) {
    if (change.kind() != registry::v1::NOTICE_PUBLISHED) continue;
    ++notices;
    EXPECT_EQ(change.resource(), call.name());
    EXPECT_EQ(change.source_service(), "review");
    EXPECT_EQ(change.year(), 2026);
  }
  EXPECT_EQ(notices, 1) << "the public notice enters the registry's feed once";

  std::multiset<std::string> expected;
  for (const char* a : {"A1", "K1", "A2", "A4", "A5"}) expected.insert(code[a] + ":CONSULTING");
  for (const char* a : {"A1", "K1", "A3", "A4", "A5", "A6", "C1"}) {
    expected.insert(code[a] + ":TRAINING");
  }
  EXPECT_EQ(Directory(*registry_, 2026), expected);
  // The consortium is admitted through its lead; its member is not an institution entry.
  registry::v1::GetInstitutionRequest get;
  get.set_name("institutions/" + code["K1"]);
  registry::v1::Institution k1;
  ASSERT_TRUE(registry_->stub().GetInstitution(As(City()).get(), get, &k1).ok());
  EXPECT_EQ(k1.display_name(), "联合体牵头单位");
  // The application shows what was admitted.
  v1::GetApplicationRequest ga;
  ga.set_name(app["A2"].name());
  v1::Application a2;
  ASSERT_TRUE(review_->stub().GetApplication(As(Inst(code["A2"])).get(), ga, &a2).ok());
  for (const auto& r : a2.results()) {
    EXPECT_EQ(r.admitted(), r.direction() == common::v1::CONSULTING);
    EXPECT_TRUE(r.selected());
  }
}

TEST_F(AdmissionTest, TheRegistryStoppedDuringAdmissionEndsWithEveryAdmissionExactlyOnce) {
  Flow& flow = *flow_;
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(1);
  def.mutable_directions(0)->set_quota(10);
  def.mutable_directions(1)->set_quota(10);
  v1::Call call = flow.OpenCall(def);
  std::vector<v1::Application> apps;
  for (int i = 0; i < 5; ++i) {
    apps.push_back(flow.Apply(call, GoodApplication(Code(300 + i), absl::StrCat("故障", i))));
  }
  call = flow.Move(&v1::ReviewService::Stub::CloseCall, flow.Get(call));
  call = flow.Move(&v1::ReviewService::Stub::StartReview, call);
  v1::Expert expert = flow.AddExpert("fault-1");
  std::vector<v1::Assignment> plan;
  for (const auto& a : apps) {
    v1::Assignment asg;
    asg.set_application(a.name());
    asg.add_experts(expert.name());
    plan.push_back(asg);
  }
  v1::AssignExpertsResponse assigned;
  ASSERT_TRUE(flow.Assign(call, plan, &assigned).ok());
  for (const auto& a : apps) {
    for (auto d : {common::v1::CONSULTING, common::v1::TRAINING}) {
      ASSERT_TRUE(flow.Score("fault-1", a.name(), d, 5000, 3000).ok());
    }
  }
  v1::SelectionResult selection;
  ASSERT_TRUE(flow.Select(call, &selection).ok());
  review_->SetToday(absl::CivilDay(2026, 5, 4));
  call = flow.Move(&v1::ReviewService::Stub::StartPublicNotice, flow.Get(call));
  review_->SetToday(absl::CivilDay(2026, 5, 20));
  v1::FinishCallRequest fin;
  fin.set_name(call.name());
  fin.set_version(call.version());
  v1::FinishCallResponse done;
  ASSERT_TRUE(review_->stub().FinishCall(As(City()).get(), fin, &done).ok());
  ASSERT_EQ(done.admissions_size(), 10);

  // The notice's entry in the public feed is not what this test counts: out of the way first.
  ASSERT_TRUE(db_->Admin()
                  ->ExecScript("UPDATE review.outbox SET delivered_at = now()"
                               " WHERE command_id LIKE 'notice:%'")
                  .ok());
  // Deliver a first part, then the registry goes away in the middle of the admissions.
  // Small batches, so the registry can go away between two of them.
  auto options = DispatcherFor(PortOf(registry_->address()));
  options.batch = 2;
  outbox::Dispatcher dispatcher(review_->pool(), options);
  AdmissionPromoter promoter(review_->store(), nullptr);
  auto pass = [&]() -> int {
    auto promoted = promoter.RunOnce();
    EXPECT_TRUE(promoted.ok()) << promoted.status();
    auto delivered = dispatcher.DeliverDue();
    EXPECT_TRUE(delivered.ok()) << delivered.status();
    return delivered.ok() ? *delivered : 0;
  };
  // Registrations (5) go first; two are delivered, then two admissions of those.
  EXPECT_EQ(pass(), 2);
  EXPECT_EQ(pass(), 2);
  EXPECT_EQ(h_count("outbox", "command_id LIKE 'admit:%'"), 4);
  registry_->Stop();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(pass(), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
  }
  registry_->Start();
  int delivered = 4;
  for (int i = 0; i < 400 && delivered < 15; ++i) {
    delivered += pass();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(delivered, 15);  // 5 registrations and 10 admissions, each once
  auto counts = dispatcher.Counts();
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(counts->failed, 0);
  {
    auto failed = db_->Admin()->QueryScript(
        "SELECT command_id, last_error FROM review.outbox WHERE failed_at IS NOT NULL");
    for (int i = 0; failed.ok() && i < failed->rows(); ++i) {
      ADD_FAILURE() << failed->String(i, 0) << ": " << failed->String(i, 1);
    }
  }
  // A redelivery of everything (as after a crash between the call and its acknowledgement)
  // changes nothing at the receiver.
  auto admin = db_->Admin();
  ASSERT_TRUE(admin->ExecScript("UPDATE review.outbox SET delivered_at = NULL").ok());
  for (int i = 0; i < 400 && dispatcher.Counts()->pending > 0; ++i) {
    ASSERT_TRUE(dispatcher.DeliverDue().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(dispatcher.Counts()->pending, 0);
  EXPECT_EQ(dispatcher.Counts()->failed, 0);
  std::multiset<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.insert(Code(300 + i) + ":CONSULTING");
    expected.insert(Code(300 + i) + ":TRAINING");
  }
  EXPECT_EQ(Directory(*registry_, 2026), expected);  // each exactly once
  auto institutions = admin->QueryScript("SELECT count(*) FROM registry.institutions");
  ASSERT_TRUE(institutions.ok());
  EXPECT_EQ(institutions->Int64(0, 0), 5);
}

// A registration or admission that the registry refuses for good does not stick silently: the
// application says ADMISSION_REFUSED and why (never admitted=true before the registry holds the
// entry), and the bureau sends it again once the cause is fixed.
TEST_F(AdmissionTest, ARefusedAdmissionShowsOnTheApplicationUntilTheBureauRetriesIt) {
  Flow& flow = *flow_;
  v1::Call def = CityCall(2026);
  def.set_experts_per_application(1);
  def.mutable_directions(0)->set_quota(10);
  def.mutable_directions(1)->set_quota(10);
  v1::Call call = flow.OpenCall(def);
  const std::string ok_code = Code(400), barred_code = Code(401);
  v1::Application ok_app = flow.Apply(call, GoodApplication(ok_code, "正常机构"));
  v1::Application barred_app = flow.Apply(call, GoodApplication(barred_code, "受罚机构"));
  call = flow.Move(&v1::ReviewService::Stub::CloseCall, flow.Get(call));
  call = flow.Move(&v1::ReviewService::Stub::StartReview, call);
  v1::Expert expert = flow.AddExpert("refused-1");
  std::vector<v1::Assignment> plan;
  for (const auto* a : {&ok_app, &barred_app}) {
    v1::Assignment asg;
    asg.set_application(a->name());
    asg.add_experts(expert.name());
    plan.push_back(asg);
  }
  v1::AssignExpertsResponse assigned;
  ASSERT_TRUE(flow.Assign(call, plan, &assigned).ok());
  for (const auto* a : {&ok_app, &barred_app}) {
    for (auto d : {common::v1::CONSULTING, common::v1::TRAINING}) {
      ASSERT_TRUE(flow.Score("refused-1", a->name(), d, 5000, 3000).ok());
    }
  }
  v1::SelectionResult selection;
  ASSERT_TRUE(flow.Select(call, &selection).ok());
  review_->SetToday(absl::CivilDay(2026, 5, 4));
  call = flow.Move(&v1::ReviewService::Stub::StartPublicNotice, flow.Get(call));
  // Barred during the notice (verified complaints elsewhere): the registry will refuse it.
  ASSERT_TRUE(registry_->Register(barred_code));
  const std::string bar = registry_->Sanction(barred_code, registry::v1::BAR, "2026-05-10");
  ASSERT_FALSE(bar.empty());
  review_->SetToday(absl::CivilDay(2026, 5, 20));
  v1::FinishCallRequest fin;
  fin.set_name(call.name());
  fin.set_version(call.version());
  v1::FinishCallResponse done;
  ASSERT_TRUE(review_->stub().FinishCall(As(City()).get(), fin, &done).ok());
  ASSERT_EQ(done.admissions_size(), 4);
  auto results = [&](const v1::Application& app) {
    v1::GetApplicationRequest get;
    get.set_name(app.name());
    v1::Application out;
    EXPECT_TRUE(review_->stub().GetApplication(As(City()).get(), get, &out).ok());
    return out;
  };
  const v1::Application pending = results(ok_app);
  for (const auto& r : pending.results()) {
    EXPECT_EQ(r.admission_state(), v1::ADMISSION_PENDING);
    EXPECT_FALSE(r.admitted()) << "admitted only once the registry holds the entry";
  }
  outbox::Dispatcher dispatcher(review_->pool(), DispatcherFor(PortOf(registry_->address())));
  AdmissionPromoter promoter(review_->store(), nullptr);
  auto drain = [&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(promoter.RunOnce().ok());
      ASSERT_TRUE(dispatcher.DeliverDue().ok());
      if (dispatcher.Counts()->pending == 0 && promoter.RunOnce().value_or(1) == 0) return;
    }
  };
  drain();
  const v1::Application admitted = results(ok_app), refused = results(barred_app);
  for (const auto& r : admitted.results()) {
    EXPECT_EQ(r.admission_state(), v1::ADMITTED);
    EXPECT_TRUE(r.admitted());
  }
  for (const auto& r : refused.results()) {
    EXPECT_EQ(r.admission_state(), v1::ADMISSION_REFUSED);
    EXPECT_FALSE(r.admitted());
    EXPECT_NE(r.admission_error().find("R14.5"), std::string::npos) << r.admission_error();
  }
  EXPECT_EQ(Directory(*registry_, 2026),
            (std::multiset<std::string>{ok_code + ":CONSULTING", ok_code + ":TRAINING"}));
  // Nothing to send again for the admitted one; the barred one goes again once the bar is lifted.
  v1::RetryAdmissionRequest retry;
  retry.set_name(ok_app.name());
  v1::Application out;
  grpc::Status s = review_->stub().RetryAdmission(As(City()).get(), retry, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "NO_REFUSED_ADMISSION");
  retry.set_name(barred_app.name());
  EXPECT_EQ(review_->stub().RetryAdmission(As(Inst(barred_code)).get(), retry, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(registry_->Lift(bar));
  s = review_->stub().RetryAdmission(As(City()).get(), retry, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const auto& r : out.results()) EXPECT_EQ(r.admission_state(), v1::ADMISSION_PENDING);
  drain();
  const v1::Application retried = results(barred_app);
  for (const auto& r : retried.results()) {
    EXPECT_EQ(r.admission_state(), v1::ADMITTED);
    EXPECT_TRUE(r.admission_error().empty()) << r.admission_error();
  }
  EXPECT_EQ(Directory(*registry_, 2026).size(), 4u);
  EXPECT_EQ(h_count("audit_log", "entity = 'admission'"), 1) << "the retry is audited";
}

}  // namespace
}  // namespace zhigai::review::testing
