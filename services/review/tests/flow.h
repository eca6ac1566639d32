// Steps of a call's life shared by the integration tests (gtest assertions inside).
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "services/review/tests/fixture.h"

namespace zhigai::review::testing {

class Flow {
 public:
  explicit Flow(ReviewHarness& h) : h_(h) {}

  // A call created and opened by `who` (today inside the window).
  v1::Call OpenCall(v1::Call call, const auth::Principal& who = City()) {
    h_.SetToday(absl::CivilDay(call.year(), 3, 10));
    v1::CreateCallRequest req;
    *req.mutable_call() = call;
    req.set_request_id(absl::StrCat("call-", ++seq_, "-", call.year()));
    v1::Call created;
    auto s = h_.stub().CreateCall(As(who).get(), req, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return Move(&v1::ReviewService::Stub::OpenCall, created, who);
  }

  // A state change by its stub method (OpenCall, CloseCall, StartReview, StartPublicNotice).
  template <typename Request>
  using Transition = grpc::Status (v1::ReviewService::Stub::*)(grpc::ClientContext*, const Request&,
                                                               v1::Call*);
  template <typename Request>
  v1::Call Move(Transition<Request> t, const v1::Call& call, const auth::Principal& who = City()) {
    Request req;
    req.set_name(call.name());
    req.set_version(call.version());
    v1::Call out;
    auto s = (h_.stub().*t)(As(who).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " (" << ReasonOf(s) << ")";
    return out;
  }
  template <typename Request>
  grpc::Status TryMove(Transition<Request> t, const v1::Call& call, v1::Call* out,
                       const auth::Principal& who = City()) {
    Request req;
    req.set_name(call.name());
    req.set_version(call.version());
    return (h_.stub().*t)(As(who).get(), req, out);
  }
  v1::Call Get(const v1::Call& call) {
    v1::GetCallRequest req;
    req.set_name(call.name());
    v1::Call out;
    EXPECT_TRUE(h_.stub().GetCall(As(City()).get(), req, &out).ok());
    return out;
  }

  grpc::Status TryCreate(const v1::Call& call, const v1::Application& app, v1::Application* out) {
    v1::CreateApplicationRequest req;
    req.set_parent(call.name());
    *req.mutable_application() = app;
    req.set_request_id(absl::StrCat("app-", ++seq_));
    return h_.stub().CreateApplication(As(Inst(app.profile().credit_code())).get(), req, out);
  }

  // Creates the application, uploads one document per declared QC aspect, submits it.
  v1::Application Apply(const v1::Call& call, const v1::Application& app,
                        bool qc_documents = true) {
    v1::Application created;
    auto s = TryCreate(call, app, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const auto who = Inst(app.profile().credit_code());
    if (qc_documents) {
      for (auto purpose : {v1::QC_STAFF_DOCUMENT, v1::QC_SERVICE_PROCESS_DOCUMENT,
                           v1::QC_SERVICE_STANDARDS_DOCUMENT, v1::QC_DELIVERABLES_DOCUMENT}) {
        v1::Document doc;
        auto up = Upload(h_.stub(), who, created.name(), purpose, PdfBytes(2048, seq_),
                         absl::StrCat("doc-", ++seq_), &doc);
        EXPECT_TRUE(up.ok()) << up.error_message();
      }
    }
    v1::SubmitApplicationRequest req;
    req.set_name(created.name());
    req.set_version(created.version());
    v1::Application out;
    auto sub = h_.stub().SubmitApplication(As(who).get(), req, &out);
    EXPECT_TRUE(sub.ok()) << sub.error_message();
    return out;
  }

  v1::EligibilityChecklist Checklist(const v1::Application& app) {
    v1::GetEligibilityChecklistRequest req;
    req.set_name(app.name() + "/checklist");
    v1::EligibilityChecklist out;
    auto s = h_.stub().GetEligibilityChecklist(As(City()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Decide(const v1::Application& app, const std::string& rule, bool pass,
                      common::v1::Direction d = common::v1::DIRECTION_UNSPECIFIED,
                      const std::string& reason = "经核实符合条件",
                      const auth::Principal& who = City(),
                      v1::EligibilityChecklist* out = nullptr) {
    v1::DecideChecklistItemRequest req;
    req.set_name(app.name() + "/checklist");
    req.set_rule_id(rule);
    req.set_direction(d);
    req.set_pass(pass);
    req.set_reason(reason);
    req.set_version(Checklist(app).version());
    v1::EligibilityChecklist ignored;
    return h_.stub().DecideChecklistItem(As(who).get(), req, out ? out : &ignored);
  }

  v1::Expert AddExpert(const std::string& subject, const std::string& employer = "",
                       std::vector<std::string> ties = {}) {
    v1::CreateExpertRequest req;
    req.set_request_id("expert-" + subject);
    auto* e = req.mutable_expert();
    e->set_display_name("专家" + subject);
    e->set_subject(subject);
    e->set_employer_credit_code(employer);
    for (auto& t : ties) e->add_declared_ties(t);
    e->add_fields("智能制造");
    e->set_phone("13905771234");
    v1::Expert out;
    auto s = h_.stub().CreateExpert(As(City()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Assign(const v1::Call& call, const std::vector<v1::Assignment>& by_hand,
                      v1::AssignExpertsResponse* out, const auth::Principal& who = City()) {
    v1::AssignExpertsRequest req;
    req.set_call(call.name());
    for (const auto& a : by_hand) *req.add_assignments() = a;
    return h_.stub().AssignExperts(As(who).get(), req, out);
  }

  // Scores: `ability` of 60 and `cases` of 40 points, in hundredths.
  grpc::Status Score(const std::string& expert_subject, const std::string& application,
                     common::v1::Direction d, int64_t ability, int64_t cases,
                     v1::ExpertScoreSheet* out = nullptr) {
    v1::SubmitExpertScoresRequest req;
    auto* sheet = req.mutable_sheet();
    sheet->set_application(application);
    sheet->set_direction(d);
    auto* a = sheet->add_scores();
    a->set_criterion("服务能力");
    a->set_score_hundredths(ability);
    auto* b = sheet->add_scores();
    b->set_criterion("典型案例");
    b->set_score_hundredths(cases);
    v1::ExpertScoreSheet ignored;
    return h_.stub().SubmitExpertScores(As(ExpertPrincipal(expert_subject)).get(), req,
                                        out ? out : &ignored);
  }

  grpc::Status Select(const v1::Call& call, v1::SelectionResult* out) {
    v1::SelectApplicantsRequest req;
    req.set_call(call.name());
    return h_.stub().SelectApplicants(As(City()).get(), req, out);
  }

  int next() { return ++seq_; }

 private:
  ReviewHarness& h_;
  // Request ids are unique in the whole process: the tests of a binary share one database.
  static inline std::atomic<int> seq_{0};
};

}  // namespace zhigai::review::testing
