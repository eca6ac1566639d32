// The training service's handlers and store against a real PostgreSQL, over real gRPC on
// port 0. Every R13 boundary is driven through the RPCs, as a caller would meet it.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/auth/principal.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/tsv.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "libs/server/testing/context_as.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "services/registry/testing/registry_server.h"
#include "services/training/domain/testing/rules.h"
#include "services/training/handlers.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Training();
}

namespace zhigai::training {
namespace {

using server::testing::FieldsOf;
using server::testing::ReasonOf;

using auth::Principal;
using auth::Role;
constexpr char kProof[] = "test-proof";
constexpr char kInstA[] = "91330302123456788P";  // runs events in Lucheng (330302)
constexpr char kInstB[] = "91330303MA2H3K4L4J";

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal County(std::string div) { return {Role::kCountyBureau, "county-" + div, "", div}; }
Principal Inst(std::string code) { return {Role::kInstitution, "inst-" + code, code, ""}; }
Principal Service() { return {Role::kService, "evaluation", "", ""}; }

// A valid credit code per number (R0.1), for enterprises and extra institutions.
std::string Code(int i) {
  std::string first17 = absl::StrFormat("91330302%08d1", i);
  return first17 + *core::CreditCodeCheckChar(first17);
}

// The service's clock: tests move "today" (Asia/Shanghai) where a rule needs it.
std::atomic<int64_t> g_now{0};
absl::Time Now() { return absl::FromUnixSeconds(g_now.load()); }
void SetToday(absl::CivilDay day) {
  g_now = absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(day) + 10 * 3600, absl::FixedTimeZone(8 * 3600)));
}
absl::CivilDay Day(const std::string& text) { return *core::ParseDate(text, "day"); }

class TrainingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SetToday(absl::CivilDay(2025, 1, 2));
    db_ = db::testing::TestDatabase::Create();
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{db_->ServiceConninfo("training"), 4});
    ASSERT_TRUE(server::Migrate(*pool_, "training", migrations::Training()).ok());
    ref_ = std::make_unique<ReferenceData>(
        ReferenceData::From(*core::IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv"),
                            *core::DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv")));
    // A private copy of the calendar, cut after 2026: the tests add a fictional 2027 to it,
    // and hold whatever years the live file gains (the State Council's notice each November).
    calendar_path_ = std::make_unique<std::string>(
        absl::StrCat(::testing::TempDir(), "/training-calendar-", ::getpid(), ".tsv"));
    std::ifstream in(ZHIGAI_DATA_DIR "/cn-workdays.tsv");
    std::ofstream copy(*calendar_path_);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("date\t", 0) == 0 || line.substr(0, 4) <= "2026") copy << line << "\n";
    }
    copy.close();
    calendar_ = *CalendarSource::Open(*calendar_path_, absl::Hours(1), Now);
    store_ = std::make_unique<TrainingStore>(*pool_, Now);
    // A real registry over gRPC: events are planned, filed and subsidised only for eligible
    // institutions (R14.4, R14.5). The institutions the tests use are in the directory for
    // training from 2024 to 2028; a test that needs otherwise arranges it.
    registry_ = std::make_unique<registry::testing::RegistryServer>(*db_, kProof, Now);
    for (const std::string& code : {std::string(kInstA), std::string(kInstB), Code(5001),
                                    Code(5002), Code(5101), Code(5102)}) {
      ASSERT_TRUE(registry_->Admit(code, 2024, 2028, common::v1::TRAINING)) << code;
    }
    peers::RegistryEligibilityOptions options;
    options.service = "training";
    options.address = registry_->address();
    options.internal_proof = kProof;
    options.timeout = absl::Seconds(2);
    options.cache_ttl = absl::ZeroDuration();  // a sanction a test imposes shows at once
    eligibility_ = std::make_unique<peers::RegistryEligibility>(options);
    handlers_ = std::make_unique<TrainingHandlers>(*store_, *ref_, *calendar_, TestTrainingRules(),
                                                   *eligibility_, kProof, Now);
    int port = 0;
    server_ = std::make_unique<server::ServerPtr>(
        server::StartServer({handlers_.get()}, "127.0.0.1:0", nullptr, &port));
    stub_ = v1::TrainingService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    (*server_)->Shutdown();
    stub_.reset();
    server_.reset();
    handlers_.reset();
    eligibility_.reset();
    registry_.reset();
    store_.reset();
    calendar_.reset();
    ::unlink(calendar_path_->c_str());
    calendar_path_.reset();
    ref_.reset();
    pool_.reset();
    db_.reset();
  }

  static std::unique_ptr<grpc::ClientContext> As(const Principal& p) {
    return server::testing::ContextAs(p, kProof, std::chrono::seconds(30));
  }

  static int64_t Count(const std::string& table, const std::string& where = "true") {
    return db_->Count("training", table, where);
  }

  // A complete plan by kInstA in Lucheng on `date`, 09:00-`end`.
  static v1::Event Plan(const std::string& date, const std::string& end = "12:00",
                        v1::EventType type = v1::TRAINING) {
    v1::Event e;
    e.set_institution_credit_code(kInstA);
    e.set_title("智能化技改培训");
    e.set_type(type);
    if (!date.empty()) *e.mutable_date() = wire::testing::D(date);
    *e.mutable_start_time() = wire::testing::HM("09:00");
    if (!end.empty()) *e.mutable_end_time() = wire::testing::HM(end);
    e.set_venue("鹿城区会议中心");
    e.set_division_code("330302");
    e.add_industry_codes("PUMP_VALVE");
    e.set_expected_audience(60);
    e.set_plan_document("doc-plan");
    e.set_agenda_document("doc-agenda");
    e.add_slides_documents("doc-slides");
    return e;
  }

  static grpc::Status Create(const v1::Event& e, const std::string& request_id, v1::Event* out,
                             const Principal& who = Inst(kInstA)) {
    v1::CreateEventRequest req;
    *req.mutable_event() = e;
    req.set_request_id(request_id);
    return stub_->CreateEvent(As(who).get(), req, out);
  }

  static grpc::Status Submit(const std::string& name, v1::Event* out,
                             const Principal& who = Inst(kInstA)) {
    v1::SubmitEventForReviewRequest req;
    req.set_name(name);
    return stub_->SubmitEventForReview(As(who).get(), req, out);
  }

  static grpc::Status Review(const std::string& name, v1::ReviewDecision decision, v1::Event* out,
                             const Principal& who = County("330302"), bool approve_reason = false,
                             const std::string& reason = "") {
    v1::ReviewEventRequest req;
    req.set_name(name);
    req.set_decision(decision);
    req.set_approve_special_reason(approve_reason);
    req.set_return_reason(reason);
    return stub_->ReviewEvent(As(who).get(), req, out);
  }

  static grpc::Status File(const std::string& name, absl::CivilDay today, v1::Event* out,
                           const Principal& who = Inst(kInstA)) {
    SetToday(today);
    v1::FileEventRequest req;
    req.set_name(name);
    return stub_->FileEvent(As(who).get(), req, out);
  }

  // Created, submitted and approved by the county bureau (special reason approved if asked).
  static v1::Event Approved(v1::Event plan, bool approve_reason = false) {
    static int n = 0;
    v1::Event e;
    const Principal owner = Inst(plan.institution_credit_code());
    EXPECT_TRUE(Create(plan, absl::StrCat("approved-", ++n), &e, owner).ok());
    EXPECT_TRUE(Submit(e.name(), &e, owner).ok());
    grpc::Status s =
        Review(e.name(), v1::APPROVE, &e, County(plan.division_code()), approve_reason);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e;
  }

  static void SetPolicy(int year, bool has) {
    v1::GetYearPolicyRequest get;
    get.set_year(year);
    v1::YearPolicy current;
    ASSERT_TRUE(stub_->GetYearPolicy(As(City()).get(), get, &current).ok());
    v1::SetYearPolicyRequest req;
    req.set_year(year);
    req.set_has_training_subsidy(has);
    req.set_version(current.version());
    v1::YearPolicy out;
    ASSERT_TRUE(stub_->SetYearPolicy(As(City()).get(), req, &out).ok());
  }

  static v1::SubsidyReport Report(const std::string& name, const Principal& who = City()) {
    v1::GetSubsidyReportRequest req;
    req.set_name(name);
    v1::SubsidyReport out;
    grpc::Status s = stub_->GetSubsidyReport(As(who).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (s.ok()) {
      EXPECT_EQ(out.rule_version(), 1) << "the training rules in force on the date";
    }
    return out;
  }

  static v1::RuleOutcome Outcome(const v1::SubsidyReport& r, const std::string& check) {
    for (const auto& o : r.outcomes()) {
      if (o.check() == check) return o;
    }
    ADD_FAILURE() << "no outcome " << check;
    return {};
  }
  static std::string Figure(const v1::RuleOutcome& o, const std::string& name) {
    for (const auto& f : o.figures()) {
      if (f.name() == name) return f.value();
    }
    return "<none>";
  }

  // Records `rows` as the attendance of an event that has taken place.
  static grpc::Status Attend(const std::string& name, const std::vector<v1::Attendance>& rows,
                             v1::Event* out, const Principal& who = Inst(kInstA)) {
    v1::RecordAttendanceRequest req;
    req.set_name(name);
    for (const auto& r : rows) *req.add_attendance() = r;
    return stub_->RecordAttendance(As(who).get(), req, out);
  }
  static v1::Attendance Row(int enterprise, const std::string& industry, int64_t people) {
    v1::Attendance a;
    a.set_enterprise_credit_code(Code(enterprise));
    a.set_industry_code(industry);
    a.set_people(people);
    return a;
  }

  // The R13.2 outcome of an event of `type` on 2025-03-17 with this attendance.
  static v1::RuleOutcome AudienceWith(const std::vector<v1::Attendance>& rows,
                                      v1::EventType type = v1::TRAINING) {
    SetToday(Day("2025-03-01"));
    v1::Event e = Approved(Plan("2025-03-17", "12:00", type));
    SetToday(Day("2025-03-18"));
    grpc::Status s = Attend(e.name(), rows, &e);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return Outcome(Report(e.name()), "AUDIENCE");
  }

  // The last filing day is accepted, the day after refused with the last day in the answer.
  static void ExpectFilingBoundary(const std::string& event_date, const std::string& last_day) {
    SetToday(Day(event_date) - 40);
    v1::Event e = Approved(Plan(event_date));
    EXPECT_EQ(wire::DateText(e.last_filing_day()), last_day) << event_date;
    v1::Event out;
    grpc::Status late = File(e.name(), Day(last_day) + 1, &out);
    EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << event_date;
    EXPECT_EQ(ReasonOf(late), "FILED_TOO_LATE") << event_date;
    EXPECT_NE(late.error_message().find(last_day), std::string::npos) << late.error_message();
    grpc::Status ok = File(e.name(), Day(last_day), &out);
    ASSERT_TRUE(ok.ok()) << event_date << ": " << ok.error_message();
    EXPECT_EQ(out.state(), v1::FILED);
    EXPECT_EQ(wire::DateText(out.filed_on()), last_day);
    EXPECT_EQ(wire::DateText(out.last_filing_day()), last_day);
  }

  static inline std::unique_ptr<db::testing::TestDatabase> db_;
  static inline std::unique_ptr<db::Pool> pool_;
  static inline std::unique_ptr<ReferenceData> ref_;
  static inline std::unique_ptr<std::string> calendar_path_;
  static inline std::unique_ptr<registry::testing::RegistryServer> registry_;
  static inline std::unique_ptr<peers::RegistryEligibility> eligibility_;
  static inline std::unique_ptr<CalendarSource> calendar_;
  static inline std::unique_ptr<TrainingStore> store_;
  static inline std::unique_ptr<TrainingHandlers> handlers_;
  static inline std::unique_ptr<server::ServerPtr> server_;
  static inline std::unique_ptr<v1::TrainingService::Stub> stub_;
};

// --- planning -------------------------------------------------------------------------------

TEST_F(TrainingTest, CreateIsIdempotentAndAudited) {
  v1::Event first, again;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "req-1", &first).ok());
  EXPECT_EQ(first.state(), v1::DRAFT);
  EXPECT_EQ(first.version(), 1);
  EXPECT_EQ(wire::DateText(first.last_filing_day()), "2025-03-03");
  ASSERT_TRUE(Create(Plan("2025-03-17"), "req-1", &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(Count("events", absl::StrCat("id = ", first.name().substr(7))), 1);
  EXPECT_EQ(again.version(), 1);
  EXPECT_EQ(Count("audit_log", absl::StrCat("entity_id = '", first.name(), "'")), 1);
}

// Issue 26: an event records the training rules in force on its date when it is planned, and
// keeps them. A fictitious version 2 asking for 15 working days of notice from 2025-01-01 is
// added after an event of 2025-03-17 was planned: that event keeps version 1 and its last
// filing day (2025-03-03), while the same plan made now records version 2 and an earlier day.
TEST_F(TrainingTest, AnEventKeepsTheRulesVersionItWasPlannedUnder) {
  v1::Event before;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "req-rules-v1", &before).ok());
  EXPECT_EQ(before.rule_version(), 1);
  std::ifstream in(std::string(ZHIGAI_DATA_DIR) + "/training-rules.tsv");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string v2;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() != 4 || f[0] != "1") continue;
    if (f[1] == "effective_from") f[2] = "2025-01-01";
    if (f[1] == "r13_4.filing_working_days") f[2] = "15";
    absl::StrAppend(&v2, "2\t", f[1], "\t", f[2], "\tfictitious revision\n");
  }
  auto rules = ParseTrainingRules(text + v2, "training-rules.tsv with a version 2");
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto handlers = std::make_unique<TrainingHandlers>(*store_, *ref_, *calendar_, *rules,
                                                     *eligibility_, kProof, Now);
  int port = 0;
  server::ServerPtr server = server::StartServer({handlers.get()}, "127.0.0.1:0", nullptr, &port);
  ASSERT_NE(server, nullptr);
  auto stub = v1::TrainingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::GetEventRequest get;
  get.set_name(before.name());
  v1::Event kept;
  ASSERT_TRUE(stub->GetEvent(As(Inst(kInstA)).get(), get, &kept).ok());
  EXPECT_EQ(kept.rule_version(), 1);
  EXPECT_EQ(wire::DateText(kept.last_filing_day()), "2025-03-03");
  v1::CreateEventRequest create;
  *create.mutable_event() = Plan("2025-03-17");
  create.set_request_id("req-rules-v2");
  v1::Event after;
  ASSERT_TRUE(stub->CreateEvent(As(Inst(kInstA)).get(), create, &after).ok());
  EXPECT_EQ(after.rule_version(), 2);
  EXPECT_LT(wire::DateText(after.last_filing_day()), "2025-03-03");
  server.reset();
}

TEST_F(TrainingTest, BadPlanNamesEveryFieldAndWritesNothing) {
  const int64_t events = Count("events"), audits = Count("audit_log");
  v1::Event e = Plan("2025-02-30", "08:00");
  e.set_division_code("330399");
  e.add_industry_codes("TEXTILE");
  e.set_fee_fen(-5);
  v1::Event out;
  grpc::Status s = Create(e, "bad", &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields = FieldsOf(s);
  for (const char* f :
       {"event.date", "event.division_code", "event.industry_codes[1]", "event.fee_fen"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  EXPECT_EQ(Count("events"), events);
  EXPECT_EQ(Count("audit_log"), audits);
}

TEST_F(TrainingTest, AFeeIsRefusedAtPlanning) {
  const int64_t events = Count("events");
  v1::Event e = Plan("2025-03-17");
  e.set_fee_fen(1);
  v1::Event out;
  grpc::Status s = Create(e, "fee", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "FEE_CHARGED");
  EXPECT_NE(s.error_message().find("R13.2"), std::string::npos);
  EXPECT_EQ(Count("events"), events);
}

TEST_F(TrainingTest, AnInstitutionPlansOnlyUnderItsOwnCode) {
  v1::Event out;
  EXPECT_EQ(Create(Plan("2025-03-17"), "other", &out, Inst(kInstB)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(Plan("2025-03-17"), "city", &out, City()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TrainingTest, UpdateNeedsTheCurrentVersionAndAnEditableState) {
  v1::Event e;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "upd", &e).ok());
  v1::UpdateEventRequest req;
  *req.mutable_event() = e;
  req.mutable_event()->set_title("改名后的培训");
  v1::Event updated, stale;
  ASSERT_TRUE(stub_->UpdateEvent(As(Inst(kInstA)).get(), req, &updated).ok());
  EXPECT_EQ(updated.title(), "改名后的培训");
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(stub_->UpdateEvent(As(Inst(kInstA)).get(), req, &stale).error_code(),
            grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Submit(e.name(), &updated).ok());
  *req.mutable_event() = updated;
  grpc::Status s = stub_->UpdateEvent(As(Inst(kInstA)).get(), req, &stale);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "EVENT_NOT_EDITABLE");
}

TEST_F(TrainingTest, SubmissionNeedsPlanAgendaAndSlides) {
  v1::Event plan = Plan("2025-03-17");
  plan.clear_slides_documents();
  v1::Event e;
  ASSERT_TRUE(Create(plan, "nodocs", &e).ok());
  grpc::Status s = Submit(e.name(), &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "DOCUMENTS_MISSING");
}

// --- review and scoping -----------------------------------------------------------------------

TEST_F(TrainingTest, TheCountyBureauOfTheVenueReviewsAndMayReturnWithAReason) {
  v1::Event e;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "rev", &e).ok());
  ASSERT_TRUE(Submit(e.name(), &e).ok());
  v1::Event out;
  grpc::Status other = Review(e.name(), v1::APPROVE, &out, County("330303"));
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(other), "OUTSIDE_DIVISION");
  EXPECT_EQ(Review(e.name(), v1::APPROVE, &out, City()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Returning needs a reason.
  EXPECT_EQ(Review(e.name(), v1::RETURN, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Review(e.name(), v1::RETURN, &out, County("330302"), false, "议程不完整").ok());
  EXPECT_EQ(out.state(), v1::RETURNED);
  EXPECT_EQ(out.return_reason(), "议程不完整");
  EXPECT_EQ(out.reviewed_by(), "county-330302");
  // Fixed and resubmitted, then approved.
  ASSERT_TRUE(Submit(e.name(), &out).ok());
  EXPECT_TRUE(out.return_reason().empty());
  ASSERT_TRUE(Review(e.name(), v1::APPROVE, &out).ok());
  EXPECT_EQ(out.state(), v1::APPROVED);
  // Only a submitted event is reviewed.
  grpc::Status again = Review(e.name(), v1::APPROVE, &out);
  EXPECT_EQ(ReasonOf(again), "EVENT_NOT_SUBMITTED");
}

TEST_F(TrainingTest, EachCallerSeesOnlyItsScope) {
  // Institutions and divisions no other test uses, so the lists are exact.
  const std::string x = Code(5001), y = Code(5002);
  auto plan_of = [](const std::string& code, const std::string& division) {
    v1::Event p = Plan("2025-03-17");
    p.set_institution_credit_code(code);
    p.set_division_code(division);
    return p;
  };
  v1::Event ruian, yueqing, ruian2;
  ASSERT_TRUE(Create(plan_of(x, "330381"), "scope-1", &ruian, Inst(x)).ok());
  ASSERT_TRUE(Create(plan_of(y, "330382"), "scope-2", &yueqing, Inst(y)).ok());

  v1::GetEventRequest get;
  get.set_name(ruian.name());
  v1::Event seen;
  EXPECT_TRUE(stub_->GetEvent(As(County("330381")).get(), get, &seen).ok());
  EXPECT_TRUE(stub_->GetEvent(As(Inst(x)).get(), get, &seen).ok());
  EXPECT_TRUE(stub_->GetEvent(As(City()).get(), get, &seen).ok());
  EXPECT_EQ(stub_->GetEvent(As(County("330382")).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetEvent(As(Inst(y)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetEvent(As(Principal::Anonymous()).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  auto list = [&](const Principal& who, v1::ListEventsRequest req = {}) {
    v1::ListEventsResponse resp;
    EXPECT_TRUE(stub_->ListEvents(As(who).get(), req, &resp).ok());
    std::vector<std::string> names;
    for (const auto& e : resp.events()) names.push_back(e.name());
    return names;
  };
  EXPECT_EQ(list(County("330381")), std::vector<std::string>{ruian.name()});
  EXPECT_EQ(list(County("330382")), std::vector<std::string>{yueqing.name()});
  EXPECT_EQ(list(Inst(y)), std::vector<std::string>{yueqing.name()});
  v1::ListEventsRequest by_code;
  by_code.set_institution_credit_code(x);
  EXPECT_EQ(list(City(), by_code), std::vector<std::string>{ruian.name()});
  v1::ListEventsResponse resp;
  EXPECT_EQ(stub_->ListEvents(As(Inst(y)).get(), by_code, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListEventsRequest foreign;
  foreign.set_division_code("330381");
  EXPECT_EQ(stub_->ListEvents(As(County("330382")).get(), foreign, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Paging: one at a time.
  ASSERT_TRUE(Create(plan_of(x, "330381"), "scope-3", &ruian2, Inst(x)).ok());
  v1::ListEventsRequest paged;
  paged.set_page_size(1);
  paged.set_division_code("330381");
  ASSERT_TRUE(stub_->ListEvents(As(City()).get(), paged, &resp).ok());
  ASSERT_EQ(resp.events_size(), 1);
  EXPECT_EQ(resp.events(0).name(), ruian.name());
  paged.set_page_token(resp.next_page_token());
  v1::ListEventsResponse second;
  ASSERT_TRUE(stub_->ListEvents(As(City()).get(), paged, &second).ok());
  ASSERT_EQ(second.events_size(), 1);
  EXPECT_EQ(second.events(0).name(), ruian2.name());
  EXPECT_TRUE(second.next_page_token().empty());
}

// --- R13.4 filing ---------------------------------------------------------------------------

TEST_F(TrainingTest, FilingAroundSpringFestival2025) {
  // Jan 28-Feb 4 off; the Sunday Jan 26 adjusted workday counts.
  ExpectFilingBoundary("2025-02-05", "2025-01-15");
}

TEST_F(TrainingTest, FilingAroundNationalDay2025) {
  // Oct 1-8 off; the Sunday Sep 28 adjusted workday counts.
  ExpectFilingBoundary("2025-10-09", "2025-09-18");
}

TEST_F(TrainingTest, FilingAcrossAnAdjustedWorkday) {
  // Saturday 2026-02-28 is a working day and counts.
  ExpectFilingBoundary("2026-03-02", "2026-02-10");
  // An event held on an adjusted Saturday workday.
  ExpectFilingBoundary("2025-02-08", "2025-01-20");
}

TEST_F(TrainingTest, EveryWorkedExampleOfTheDataFolderHolds) {
  auto rows = core::ReadTsv(ZHIGAI_DATA_DIR "/cn-workdays-examples.tsv",
                            {"event_date", "last_filing_day", "note"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 20u);
  for (const auto& row : *rows) ExpectFilingBoundary(row[0], row[1]);
}

TEST_F(TrainingTest, FilingNeedsTheCountyApprovalFirst) {
  v1::Event e;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "unreviewed", &e).ok());
  grpc::Status s = File(e.name(), Day("2025-03-01"), &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "COUNTY_REVIEW_NOT_APPROVED");
}

TEST_F(TrainingTest, AYearMissingFromTheCalendarIsAClearErrorUntilOperatorsAddIt) {
  SetToday(Day("2026-12-01"));
  v1::Event e = Approved(Plan("2027-01-20"));
  EXPECT_FALSE(e.has_last_filing_day());
  v1::Event out;
  grpc::Status s = File(e.name(), Day("2026-12-01"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "CALENDAR_YEAR_MISSING");
  v1::GetSubsidyReportRequest report;
  report.set_name(e.name());
  v1::SubsidyReport r;
  EXPECT_EQ(ReasonOf(stub_->GetSubsidyReport(As(City()).get(), report, &r)),
            "CALENDAR_YEAR_MISSING");

  // The operator adds 2027 to the file and reloads (fictional 2027: New Year's Day only).
  std::ofstream(*calendar_path_, std::ios::app) << "2027-01-01\tHOLIDAY\t元旦\n";
  v1::CalendarInfo info;
  EXPECT_EQ(stub_->ReloadCalendar(As(Inst(kInstA)).get(), {}, &info).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ReloadCalendar(As(City()).get(), {}, &info).ok());
  EXPECT_EQ(std::vector<int>(info.years().begin(), info.years().end()),
            (std::vector<int>{2025, 2026, 2027}));
  EXPECT_EQ(Count("audit_log", absl::StrCat("entity = 'calendar' AND entity_id = '", info.path(),
                                            "' AND version = 3")),
            1)
      << "a reload is audited (issue 11)";
  ASSERT_TRUE(File(e.name(), Day("2026-12-01"), &out).ok());
  EXPECT_EQ(wire::DateText(out.last_filing_day()), "2027-01-06");
}

TEST_F(TrainingTest, ABrokenCalendarEditIsRefusedAndTheOldCalendarStays) {
  std::ofstream(*calendar_path_, std::ios::app) << "2027-02-30\tHOLIDAY\t春节\n";
  v1::CalendarInfo info;
  grpc::Status s = stub_->ReloadCalendar(As(City()).get(), {}, &info);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "REFERENCE_DATA_INVALID");
  v1::Event e;
  ASSERT_TRUE(Create(Plan("2025-03-17"), "after-bad-edit", &e).ok());
  EXPECT_EQ(wire::DateText(e.last_filing_day()), "2025-03-03");
}

// --- eligibility in the seams (R14.4, R14.5: the registry decides, training asks) -----------

TEST_F(TrainingTest, OnlyEligibleInstitutionsPlanEventsAndTheRegistryIsAskedEachTime) {
  SetToday(Day("2025-03-01"));
  const std::string unlisted = Code(6001), barred = Code(6002), cancelled = Code(6003);
  ASSERT_TRUE(registry_->Register(unlisted));
  ASSERT_TRUE(registry_->Admit(barred, 2025, 2025, common::v1::TRAINING));
  ASSERT_TRUE(registry_->Admit(cancelled, 2025, 2025, common::v1::TRAINING));
  ASSERT_FALSE(registry_->Sanction(barred, registry::v1::BAR, "2025-01-10").empty());
  ASSERT_FALSE(registry_->Sanction(cancelled, registry::v1::CANCEL, "2025-02-01").empty());
  const int64_t events = Count("events");
  struct Case {
    std::string code, rule;
  };
  for (const Case& c : {Case{unlisted, ""}, Case{barred, "R14.5"}, Case{cancelled, "R14.4"}}) {
    v1::Event plan = Plan("2025-03-17");
    plan.set_institution_credit_code(c.code);
    v1::Event out;
    grpc::Status s = Create(plan, "ineligible-" + c.code, &out, Inst(c.code));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << c.code;
    EXPECT_EQ(ReasonOf(s), "INSTITUTION_NOT_ELIGIBLE") << s.error_message();
    if (!c.rule.empty()) {
      EXPECT_NE(s.error_message().find(c.rule), std::string::npos) << s.error_message();
    }
  }
  EXPECT_EQ(Count("events"), events) << "nothing written for a refused plan";
}

TEST_F(TrainingTest, ASanctionAfterFilingKeepsTheEventButTakesItsSubsidy) {
  SetPolicy(2026, true);  // 2026: a year no other test sets a policy for
  const std::string code = Code(6004);
  ASSERT_TRUE(registry_->Admit(code, 2026, 2026, common::v1::TRAINING));
  SetToday(Day("2026-03-02"));
  v1::Event plan = Plan("2026-03-23");
  plan.set_institution_credit_code(code);
  v1::Event e = Approved(plan);
  ASSERT_TRUE(File(e.name(), Day("2026-03-02"), &e, Inst(code)).ok());
  SetToday(Day("2026-03-24"));
  v1::Event out;
  ASSERT_TRUE(Attend(e.name(), {Row(1, "PUMP_VALVE", 60)}, &out, Inst(code)).ok());
  v1::RecordTraineeRatingsRequest ratings;
  ratings.set_name(e.name());
  for (int i = 0; i < 20; ++i) {
    auto* r = ratings.add_ratings();
    r->set_ballot_id(absl::StrCat("b", i));
    r->set_satisfied(true);
  }
  ASSERT_TRUE(stub_->RecordTraineeRatings(As(Inst(code)).get(), ratings, &out).ok());
  EXPECT_EQ(Report(e.name()).verdict(), v1::ELIGIBLE);
  // Barred after the event was filed (verified complaints on 2026-03-10, say).
  ASSERT_FALSE(registry_->Sanction(code, registry::v1::BAR, "2026-03-10").empty());
  v1::SubsidyReport r = Report(e.name());
  EXPECT_EQ(r.verdict(), v1::NOT_ELIGIBLE);
  v1::RuleOutcome standing = Outcome(r, "INSTITUTION_ELIGIBLE");
  EXPECT_EQ(standing.status(), v1::FAIL);
  EXPECT_EQ(standing.rule(), "R14.5");
  EXPECT_EQ(standing.reason(), "BARRED");
  v1::GetEventRequest get;
  get.set_name(e.name());
  ASSERT_TRUE(stub_->GetEvent(As(City()).get(), get, &out).ok());
  EXPECT_EQ(out.state(), v1::FILED) << "the event record stays";
}

TEST_F(TrainingTest, WithTheRegistryDownNothingIsPlannedAndTheSameRequestWorksLater) {
  SetToday(Day("2025-03-01"));
  const int64_t events = Count("events");
  registry_->Stop();
  v1::Event out;
  grpc::Status s = Create(Plan("2025-04-14"), "registry-down", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(s), "REGISTRY_UNAVAILABLE");
  EXPECT_EQ(Count("events"), events);
  registry_->Start();
  grpc::Status again;
  for (int i = 0; i < 50; ++i) {  // the channel reconnects with back-off
    again = Create(Plan("2025-04-14"), "registry-down", &out);
    if (again.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(Count("events"), events + 1);
}

// --- R13.1 duration -------------------------------------------------------------------------

TEST_F(TrainingTest, DurationFourHoursPassesFourHoursOneMinuteFails) {
  SetToday(Day("2025-03-01"));
  v1::Event four = Approved(Plan("2025-03-17", "13:00"));
  v1::Event over = Approved(Plan("2025-03-17", "13:01"));
  v1::RuleOutcome ok = Outcome(Report(four.name()), "DURATION");
  EXPECT_EQ(ok.status(), v1::PASS);
  EXPECT_EQ(Figure(ok, "duration_minutes"), "240");
  v1::RuleOutcome fail = Outcome(Report(over.name()), "DURATION");
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(fail.reason(), "DURATION_NEEDS_APPROVED_REASON");
  EXPECT_EQ(Figure(fail, "duration_minutes"), "241");
}

TEST_F(TrainingTest, EightHoursNeedTheBureausApprovalOfTheSpecialReason) {
  SetToday(Day("2025-03-01"));
  v1::Event plan = Plan("2025-03-17", "17:00");
  plan.set_special_reason("实操演练需要全天");
  v1::Event with = Approved(plan, true);
  EXPECT_TRUE(with.special_reason_approved());
  v1::Event without = Approved(plan, false);
  EXPECT_FALSE(without.special_reason_approved());
  EXPECT_EQ(Outcome(Report(with.name()), "DURATION").status(), v1::PASS);
  v1::RuleOutcome fail = Outcome(Report(without.name()), "DURATION");
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(fail.reason(), "DURATION_NEEDS_APPROVED_REASON");
  // Beyond one day even with an approved reason.
  v1::Event long_plan = Plan("2025-03-17", "17:01");
  long_plan.set_special_reason("实操演练需要全天");
  v1::Event too_long = Approved(long_plan, true);
  EXPECT_EQ(Outcome(Report(too_long.name()), "DURATION").reason(), "DURATION_OVER_ONE_DAY");
  // No reason stated: nothing to approve.
  v1::Event bare;
  ASSERT_TRUE(Create(Plan("2025-03-17", "17:00"), "bare", &bare).ok());
  ASSERT_TRUE(Submit(bare.name(), &bare).ok());
  EXPECT_EQ(Review(bare.name(), v1::APPROVE, &bare, County("330302"), true).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- R13.2 audience -------------------------------------------------------------------------

TEST_F(TrainingTest, FortyNinePeopleFailFiftyPass) {
  std::vector<v1::Attendance> rows;
  for (int i = 0; i < 7; ++i) rows.push_back(Row(i, i % 2 ? "FOOTWEAR" : "APPAREL", 7));
  v1::RuleOutcome fail = AudienceWith(rows);  // 49
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(fail.reason(), "TOO_FEW_PARTICIPANTS");
  EXPECT_EQ(Figure(fail, "participants"), "49");
  rows.push_back(Row(7, "APPAREL", 1));
  v1::RuleOutcome pass = AudienceWith(rows);  // 50
  EXPECT_EQ(pass.status(), v1::PASS);
  EXPECT_EQ(Figure(pass, "participants"), "50");
}

TEST_F(TrainingTest, TenEnterprisesOfOneIndustryWithThirtyPeoplePassNineDoNot) {
  std::vector<v1::Attendance> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(Row(100 + i, "PUMP_VALVE", 3));
  v1::RuleOutcome pass = AudienceWith(ten);
  EXPECT_EQ(pass.status(), v1::PASS);
  EXPECT_EQ(Figure(pass, "top_industry"), "PUMP_VALVE");
  EXPECT_EQ(Figure(pass, "top_industry_enterprises"), "10");
  EXPECT_EQ(Figure(pass, "top_industry_participants"), "30");

  std::vector<v1::Attendance> nine;
  for (int i = 0; i < 9; ++i) nine.push_back(Row(200 + i, "PUMP_VALVE", i == 0 ? 6 : 3));
  v1::RuleOutcome fail = AudienceWith(nine);  // 9 enterprises, 30 people
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(Figure(fail, "top_industry_enterprises"), "9");
  EXPECT_EQ(Figure(fail, "top_industry_participants"), "30");
}

TEST_F(TrainingTest, ALectureNeedsAHundred) {
  // 10 enterprises of one industry with 99 people: the alternative does not apply to lectures.
  std::vector<v1::Attendance> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(Row(300 + i, "ELECTRICAL", i == 0 ? 9 : 10));
  v1::RuleOutcome fail = AudienceWith(rows, v1::LECTURE);  // 99
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(Figure(fail, "participants"), "99");
  EXPECT_EQ(Figure(fail, "required_participants"), "100");
  rows.push_back(Row(310, "ELECTRICAL", 1));
  v1::RuleOutcome pass = AudienceWith(rows, v1::LECTURE);  // 100
  EXPECT_EQ(pass.status(), v1::PASS);
  EXPECT_EQ(Figure(pass, "participants"), "100");
  // A forum likewise; an event for institutions has no threshold.
  EXPECT_EQ(AudienceWith({Row(400, "ELECTRICAL", 99)}, v1::FORUM).status(), v1::FAIL);
  EXPECT_EQ(AudienceWith({Row(401, "ELECTRICAL", 5)}, v1::FOR_INSTITUTIONS).status(),
            v1::NOT_APPLICABLE);
}

TEST_F(TrainingTest, AttendanceIsRecordedAfterTheEventAndValidated) {
  SetToday(Day("2025-03-01"));
  v1::Event e = Approved(Plan("2025-03-17"));
  v1::Event out;
  grpc::Status early = Attend(e.name(), {Row(1, "APPAREL", 60)}, &out);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(early), "EVENT_NOT_HELD_YET");
  SetToday(Day("2025-03-17"));
  v1::Attendance bad = Row(1, "APPAREL", 0);
  bad.set_enterprise_credit_code("91330302123456788Q");
  grpc::Status s = Attend(e.name(), {bad, Row(2, "APPAREL", 5), Row(2, "APPAREL", 5)}, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields = FieldsOf(s);
  for (const char* f : {"attendance[0].enterprise_credit_code", "attendance[0].people",
                        "attendance[2].enterprise_credit_code"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  // Another institution, or another county, may not record it.
  EXPECT_EQ(Attend(e.name(), {Row(1, "APPAREL", 60)}, &out, Inst(kInstB)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Attend(e.name(), {Row(1, "APPAREL", 60)}, &out, County("330303")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Industry codes come from the catalogue (or OTHER), never free text (issue 27 item 2).
  s = Attend(e.name(), {Row(1, "footwear", 60), Row(2, "TEXTILE", 3)}, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), (std::vector<std::string>{"attendance[0].industry_code",
                                                   "attendance[1].industry_code"}));
  ASSERT_TRUE(Attend(e.name(), {Row(1, "APPAREL", 60)}, &out).ok());
  EXPECT_EQ(out.attendance_size(), 1);
  ASSERT_TRUE(Attend(e.name(), {Row(1, "APPAREL", 60), Row(2, "OTHER", 4)}, &out).ok());
  EXPECT_EQ(out.attendance_size(), 2);
}

// --- R13.4 satisfaction and the full report ----------------------------------------------------

TEST_F(TrainingTest, SatisfactionOf7999In10000FailsAnd80PercentPasses) {
  SetToday(Day("2025-03-01"));
  v1::Event e = Approved(Plan("2025-03-17"));
  SetToday(Day("2025-03-18"));
  v1::Event out;
  for (int part = 0; part < 2; ++part) {
    v1::RecordTraineeRatingsRequest req;
    req.set_name(e.name());
    for (int i = part * 5000; i < (part + 1) * 5000; ++i) {
      v1::TraineeRating* r = req.add_ratings();
      r->set_ballot_id(absl::StrCat("b", i));
      r->set_satisfied(i < 7999);
    }
    ASSERT_TRUE(stub_->RecordTraineeRatings(As(Inst(kInstA)).get(), req, &out).ok());
  }
  EXPECT_EQ(out.total_ratings(), 10000);
  EXPECT_EQ(out.satisfied_ratings(), 7999);
  v1::RuleOutcome fail = Outcome(Report(e.name()), "SATISFACTION");
  EXPECT_EQ(fail.status(), v1::FAIL);
  EXPECT_EQ(fail.reason(), "SATISFACTION_BELOW_80");
  EXPECT_EQ(Figure(fail, "satisfaction_percent"), "79.99%");

  // One questionnaire corrected (same ballot id): 8000 of 10000, exactly 80%.
  v1::RecordTraineeRatingsRequest fix;
  fix.set_name(e.name());
  fix.add_ratings()->set_ballot_id("b7999");
  fix.mutable_ratings(0)->set_satisfied(true);
  ASSERT_TRUE(stub_->RecordTraineeRatings(As(Inst(kInstA)).get(), fix, &out).ok());
  ASSERT_TRUE(stub_->RecordTraineeRatings(As(Inst(kInstA)).get(), fix, &out).ok());
  EXPECT_EQ(out.total_ratings(), 10000);
  EXPECT_EQ(out.satisfied_ratings(), 8000);
  v1::RuleOutcome pass = Outcome(Report(e.name()), "SATISFACTION");
  EXPECT_EQ(pass.status(), v1::PASS);
  EXPECT_EQ(Figure(pass, "satisfaction_percent"), "80.00%");
  EXPECT_EQ(Count("event_ratings", absl::StrCat("event_id = ", e.name().substr(7))), 10000);
}

TEST_F(TrainingTest, AQualifyingEventIsEligibleOnlyWhenTheYearHasASubsidy) {
  SetToday(Day("2025-03-01"));
  v1::Event e = Approved(Plan("2025-03-17"));
  v1::Event out;
  ASSERT_TRUE(File(e.name(), Day("2025-03-03"), &out).ok());
  SetToday(Day("2025-03-17"));
  ASSERT_TRUE(Attend(e.name(), {Row(1, "APPAREL", 30), Row(2, "FOOTWEAR", 30)}, &out).ok());
  v1::RecordTraineeRatingsRequest req;
  req.set_name(e.name());
  for (int i = 0; i < 5; ++i) {
    req.add_ratings()->set_ballot_id(absl::StrCat("q", i));
    req.mutable_ratings(i)->set_satisfied(i < 4);
  }
  ASSERT_TRUE(stub_->RecordTraineeRatings(As(Inst(kInstA)).get(), req, &out).ok());

  // No policy set for 2025: recorded, checks listed, no subsidy (R13.0).
  v1::SubsidyReport none = Report(e.name(), Inst(kInstA));
  EXPECT_EQ(none.verdict(), v1::NO_SUBSIDY_POLICY);
  EXPECT_FALSE(none.year_policy_set());
  ASSERT_EQ(none.outcomes_size(), 8);  // R13.1-R13.4 and the institution's standing
  for (const auto& o : none.outcomes()) EXPECT_EQ(o.status(), v1::PASS) << o.check();

  SetPolicy(2025, true);
  v1::SubsidyReport yes = Report(e.name(), County("330302"));
  EXPECT_EQ(yes.verdict(), v1::ELIGIBLE);
  EXPECT_TRUE(yes.year_has_training_subsidy());
  EXPECT_EQ(wire::DateText(yes.last_filing_day()), "2025-03-03");
  EXPECT_EQ(Figure(Outcome(yes, "FILING_DEADLINE"), "filed_on"), "2025-03-03");

  // Others may not read it.
  v1::GetSubsidyReportRequest get;
  get.set_name(e.name());
  v1::SubsidyReport denied;
  EXPECT_EQ(stub_->GetSubsidyReport(As(Inst(kInstB)).get(), get, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetSubsidyReport(As(County("330303")).get(), get, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TrainingTest, AnUnfiledEventIsNotEligibleAndTheReportSaysWhy) {
  SetPolicy(2025, true);
  SetToday(Day("2025-03-01"));
  v1::Event e = Approved(Plan("2025-03-17"));
  v1::SubsidyReport r = Report(e.name());
  EXPECT_EQ(r.verdict(), v1::NOT_ELIGIBLE);
  EXPECT_EQ(Outcome(r, "FILING_DEADLINE").reason(), "NOT_FILED");
  EXPECT_EQ(Outcome(r, "AUDIENCE").reason(), "TOO_FEW_PARTICIPANTS");
  EXPECT_EQ(Outcome(r, "SATISFACTION").reason(), "NO_RATINGS");
  EXPECT_NE(r.summary().find("R13.4 NOT_FILED"), std::string::npos) << r.summary();
}

TEST_F(TrainingTest, YearPolicyUsesOptimisticConcurrency) {
  v1::GetYearPolicyRequest get;
  get.set_year(2030);
  v1::YearPolicy p;
  ASSERT_TRUE(stub_->GetYearPolicy(As(Inst(kInstA)).get(), get, &p).ok());
  EXPECT_EQ(p.version(), 0);
  EXPECT_FALSE(p.has_training_subsidy());
  v1::SetYearPolicyRequest set;
  set.set_year(2030);
  set.set_has_training_subsidy(true);
  ASSERT_TRUE(stub_->SetYearPolicy(As(City()).get(), set, &p).ok());
  EXPECT_EQ(p.version(), 1);
  EXPECT_EQ(stub_->SetYearPolicy(As(City()).get(), set, &p).error_code(),
            grpc::StatusCode::ABORTED);
  set.set_version(1);
  set.set_has_training_subsidy(false);
  ASSERT_TRUE(stub_->SetYearPolicy(As(City()).get(), set, &p).ok());
  EXPECT_EQ(p.version(), 2);
  EXPECT_EQ(stub_->SetYearPolicy(As(County("330302")).get(), set, &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("audit_log", "entity = 'year_policy' AND entity_id = '2030'"), 2);
}

TEST_F(TrainingTest, BatchGetInstitutionEventsAnswersManyInstitutionsAtOnce) {
  SetPolicy(2025, true);
  SetToday(Day("2025-03-01"));
  const std::string x = Code(5101), y = Code(5102);
  auto plan_of = [&](const std::string& date) {
    v1::Event p = Plan(date);
    p.set_institution_credit_code(x);
    return p;
  };
  v1::Event a1 = Approved(plan_of("2025-03-17"));
  v1::Event a2;
  ASSERT_TRUE(Create(plan_of("2025-06-03"), "batch-2", &a2, Inst(x)).ok());
  v1::Event other_year;
  ASSERT_TRUE(Create(plan_of("2026-03-09"), "batch-3", &other_year, Inst(x)).ok());
  v1::BatchGetInstitutionEventsRequest req;
  req.set_year(2025);
  req.add_credit_codes(y);
  req.add_credit_codes(x);
  v1::BatchGetInstitutionEventsResponse resp;
  EXPECT_EQ(stub_->BatchGetInstitutionEvents(As(Inst(kInstA)).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->BatchGetInstitutionEvents(As(Service()).get(), req, &resp).ok());
  ASSERT_EQ(resp.institutions_size(), 2);
  EXPECT_EQ(resp.institutions(0).credit_code(), y);
  EXPECT_EQ(resp.institutions(0).events_size(), 0);
  ASSERT_EQ(resp.institutions(1).events_size(), 2);
  EXPECT_EQ(resp.institutions(1).events(0).event().name(), a1.name());
  EXPECT_EQ(resp.institutions(1).events(0).verdict(), v1::NOT_ELIGIBLE);
  EXPECT_EQ(resp.institutions(1).events(1).event().name(), a2.name());
  EXPECT_EQ(resp.institutions(1).events(1).event().state(), v1::DRAFT);
  // Bad batches are refused whole.
  req.add_credit_codes(x);
  EXPECT_EQ(stub_->BatchGetInstitutionEvents(As(Service()).get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- R8.1 tests ----------------------------------------------------------------------------

class TestSessions : public TrainingTest {
 protected:
  static v1::TestSession Session(const std::string& date, int64_t full,
                                 const std::vector<std::string>& codes) {
    static int n = 0;
    v1::CreateTestSessionRequest req;
    req.set_request_id(absl::StrCat("session-", ++n));
    req.mutable_session()->set_title("政策与业务测评");
    if (!date.empty()) *req.mutable_session()->mutable_date() = wire::testing::D(date);
    req.mutable_session()->set_full_marks_hundredths(full);
    for (const auto& c : codes) req.mutable_session()->add_expected_credit_codes(c);
    v1::TestSession out;
    grpc::Status s = stub_->CreateTestSession(As(City()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  static grpc::Status Score(const v1::TestSession& s, const std::string& code, int64_t score,
                            v1::TestResult* out = nullptr) {
    v1::RecordTestResultRequest req;
    req.set_session(s.name());
    req.set_credit_code(code);
    req.set_score_hundredths(score);
    v1::TestResult tmp;
    return stub_->RecordTestResult(As(City()).get(), req, out ? out : &tmp);
  }
  static grpc::Status Absent(const v1::TestSession& s, const std::string& code,
                             const std::string& excuse, v1::TestResult* out = nullptr) {
    v1::RecordTestResultRequest req;
    req.set_session(s.name());
    req.set_credit_code(code);
    req.mutable_absence()->set_excuse(excuse);
    v1::TestResult tmp;
    return stub_->RecordTestResult(As(City()).get(), req, out ? out : &tmp);
  }
  static grpc::Status Decide(const v1::TestSession& s, const std::string& code, bool accept) {
    v1::DecideAbsenceExcuseRequest req;
    req.set_session(s.name());
    req.set_credit_code(code);
    req.set_accept(accept);
    v1::TestResult out;
    return stub_->DecideAbsenceExcuse(As(City()).get(), req, &out);
  }
  static v1::BatchGetTestScoresResponse Scores(int year, const std::vector<std::string>& codes) {
    v1::BatchGetTestScoresRequest req;
    req.set_year(year);
    for (const auto& c : codes) req.add_credit_codes(c);
    v1::BatchGetTestScoresResponse out;
    grpc::Status s = stub_->BatchGetTestScores(As(Service()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(TestSessions, ScoresAreScaledToTenAndAveragedUnrounded) {
  SetToday(Day("2026-12-31"));
  const std::string a = Code(6001), b = Code(6002), c = Code(6003);
  v1::TestSession first = Session("2026-04-10", 10000, {a, b, c});
  v1::TestSession second = Session("2026-09-10", 12000, {a, b, c});
  v1::TestSession other_year = Session("2025-09-10", 10000, {a});
  ASSERT_TRUE(Score(first, a, 8555).ok());    // 8.555
  ASSERT_TRUE(Score(second, a, 12000).ok());  // 10
  ASSERT_TRUE(Score(other_year, a, 0).ok());
  ASSERT_TRUE(Score(first, b, 9000).ok());
  ASSERT_TRUE(Absent(second, b, "").ok());  // unexcused: 0
  auto r = Scores(2026, {a, b, c});
  ASSERT_EQ(r.scores_size(), 3);
  EXPECT_EQ(r.scores(0).credit_code(), a);
  ASSERT_EQ(r.scores(0).tests_size(), 2);
  EXPECT_EQ(r.scores(0).tests(0).session(), first.name());
  EXPECT_EQ(r.scores(0).tests(0).score_hundredths(), 8555);
  EXPECT_EQ(r.scores(0).tests(1).full_marks_hundredths(), 12000);
  EXPECT_EQ(r.scores(0).scaled_mean(), "9.2775");
  EXPECT_EQ(r.scores(1).scaled_mean(), "4.5");
  EXPECT_TRUE(r.scores(1).tests(1).unexcused_absence());
  EXPECT_EQ(r.scores(1).tests(1).score_hundredths(), 0);
  EXPECT_EQ(r.scores(2).tests_size(), 0);
  EXPECT_EQ(r.scores(2).scaled_mean(), "0");
}

TEST_F(TestSessions, AnExcuseIsPendingUntilDecidedThenLeftOutOrScoredZero) {
  SetToday(Day("2026-12-31"));
  const std::string a = Code(6011), b = Code(6012);
  v1::TestSession first = Session("2026-04-10", 10000, {a, b});
  v1::TestSession second = Session("2026-09-10", 10000, {a, b});
  ASSERT_TRUE(Score(first, a, 9000).ok());
  ASSERT_TRUE(Score(first, b, 9000).ok());
  v1::TestResult pending;
  ASSERT_TRUE(Absent(second, a, "参加省级会议").ok());
  ASSERT_TRUE(Absent(second, b, "临时有事", &pending).ok());
  EXPECT_EQ(pending.status(), v1::EXCUSE_PENDING);
  auto before = Scores(2026, {a, b});
  EXPECT_EQ(before.scores(0).excuses_pending(), 1);
  EXPECT_EQ(before.scores(0).scaled_mean(), "4.5");  // provisional: pending counts as 0
  ASSERT_TRUE(Decide(second, a, true).ok());
  ASSERT_TRUE(Decide(second, b, false).ok());
  auto after = Scores(2026, {a, b});
  EXPECT_EQ(after.scores(0).excuses_pending(), 0);
  EXPECT_EQ(after.scores(0).tests_size(), 1);  // excused: left out
  EXPECT_EQ(after.scores(0).scaled_mean(), "9");
  EXPECT_EQ(after.scores(1).tests_size(), 2);  // rejected: 0
  EXPECT_EQ(after.scores(1).scaled_mean(), "4.5");
  grpc::Status again = Decide(second, a, false);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(again), "NO_PENDING_EXCUSE");
}

TEST_F(TestSessions, ResultsAreCheckedAgainstTheSession) {
  SetToday(Day("2026-05-01"));
  const int64_t results = Count("test_results");
  v1::TestSession s = Session("2026-04-10", 10000, {kInstA});
  grpc::Status over = Score(s, kInstA, 10001);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status stranger = Score(s, kInstB, 5000);
  EXPECT_EQ(ReasonOf(stranger), "NOT_EXPECTED_AT_SESSION");
  v1::TestSession later = Session("2026-06-10", 10000, {kInstA});
  EXPECT_EQ(ReasonOf(Score(later, kInstA, 5000)), "TEST_NOT_HELD_YET");
  v1::RecordTestResultRequest neither;
  neither.set_session(s.name());
  neither.set_credit_code(kInstA);
  v1::TestResult out;
  EXPECT_EQ(stub_->RecordTestResult(As(City()).get(), neither, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stub_->RecordTestResult(As(County("330302")).get(), neither, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("test_results"), results);
}

TEST_F(TestSessions, AtTheCloseAnExpectedInstitutionWithoutAResultIsAbsentUnexcused) {
  // R8.1 Decision (2026-12). Two years apart from the other tests' so their scores stay apart.
  SetToday(Day("2024-03-01"));
  const std::string a = Code(6021), b = Code(6022), c = Code(6023);
  v1::TestSession s = Session("2024-03-05", 10000, {a, b, c});
  v1::CloseTestSessionRequest close;
  close.set_name(s.name());
  v1::TestSession closed;
  grpc::Status early = stub_->CloseTestSession(As(City()).get(), close, &closed);
  EXPECT_EQ(ReasonOf(early), "TEST_NOT_HELD_YET");

  SetToday(Day("2024-03-05"));  // the test day itself: results, then the close
  ASSERT_TRUE(Score(s, a, 7000).ok());
  ASSERT_TRUE(Absent(s, b, "外出参加展会").ok());
  auto open = Scores(2024, {a, b, c});
  EXPECT_EQ(open.scores(2).open_sessions_without_result(), 1);  // c: provisional, not absent
  EXPECT_EQ(open.scores(2).tests_size(), 0);
  EXPECT_EQ(open.scores(0).open_sessions_without_result(), 0);

  EXPECT_EQ(stub_->CloseTestSession(As(County("330302")).get(), close, &closed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CloseTestSession(As(Inst(a)).get(), close, &closed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const int64_t audits = Count("audit_log");
  ASSERT_TRUE(stub_->CloseTestSession(As(City()).get(), close, &closed).ok());
  EXPECT_EQ(closed.state(), v1::TEST_SESSION_CLOSED);
  EXPECT_TRUE(closed.has_close_time());
  EXPECT_EQ(Count("audit_log"), audits + 2);  // c's absence and the close

  auto after = Scores(2024, {a, b, c});
  EXPECT_EQ(after.scores(2).open_sessions_without_result(), 0);
  ASSERT_EQ(after.scores(2).tests_size(), 1);
  EXPECT_TRUE(after.scores(2).tests(0).unexcused_absence());
  EXPECT_TRUE(after.scores(2).tests(0).no_result_at_close());
  EXPECT_EQ(after.scores(2).scaled_mean(), "0");
  EXPECT_FALSE(after.scores(0).tests(0).no_result_at_close());
  EXPECT_EQ(after.scores(1).excuses_pending(), 1);  // b's excuse is still to be decided

  // Closed: results are final; a second close changes nothing; a pending excuse is decided.
  const int64_t results = Count("test_results");
  grpc::Status late = Score(s, c, 9000);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(late), "SESSION_CLOSED");
  EXPECT_EQ(Count("test_results"), results);
  v1::TestSession again;
  ASSERT_TRUE(stub_->CloseTestSession(As(City()).get(), close, &again).ok());
  EXPECT_EQ(again.close_time(), closed.close_time());
  EXPECT_EQ(Count("audit_log"), audits + 2);
  EXPECT_TRUE(Decide(s, b, true).ok());
}

TEST_F(TestSessions, SessionsAndResultsReadBackByRole) {
  SetToday(Day("2023-12-31"));
  const std::string a = Code(6031), b = Code(6032);
  v1::TestSession both = Session("2023-05-10", 10000, {a, b});
  v1::TestSession only_b = Session("2023-06-10", 10000, {b});
  Session("2022-06-10", 10000, {a});
  ASSERT_TRUE(Score(both, a, 8000).ok());
  ASSERT_TRUE(Absent(both, b, "设备故障").ok());

  v1::GetTestSessionRequest get;
  get.set_name(both.name());
  v1::TestSession seen;
  ASSERT_TRUE(stub_->GetTestSession(As(County("330302")).get(), get, &seen).ok());
  EXPECT_EQ(seen.expected_credit_codes_size(), 2);
  EXPECT_EQ(seen.state(), v1::TEST_SESSION_OPEN);
  ASSERT_TRUE(stub_->GetTestSession(As(Inst(a)).get(), get, &seen).ok());
  ASSERT_EQ(seen.expected_credit_codes_size(), 1);  // itself only
  EXPECT_EQ(seen.expected_credit_codes(0), a);
  get.set_name(only_b.name());
  EXPECT_EQ(stub_->GetTestSession(As(Inst(a)).get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stub_->GetTestSession(As(Principal::Anonymous()).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The bureau's list of 2023 pages one session at a time; the institution sees its own.
  v1::ListTestSessionsRequest list;
  list.set_year(2023);
  list.set_page_size(1);
  v1::ListTestSessionsResponse page;
  ASSERT_TRUE(stub_->ListTestSessions(As(City()).get(), list, &page).ok());
  ASSERT_EQ(page.test_sessions_size(), 1);
  EXPECT_EQ(page.test_sessions(0).name(), both.name());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  v1::ListTestSessionsResponse second;
  ASSERT_TRUE(stub_->ListTestSessions(As(City()).get(), list, &second).ok());
  ASSERT_EQ(second.test_sessions_size(), 1);
  EXPECT_EQ(second.test_sessions(0).name(), only_b.name());
  EXPECT_TRUE(second.next_page_token().empty());
  v1::ListTestSessionsRequest mine;
  mine.set_year(2023);
  ASSERT_TRUE(stub_->ListTestSessions(As(Inst(a)).get(), mine, &page).ok());
  ASSERT_EQ(page.test_sessions_size(), 1);
  EXPECT_EQ(page.test_sessions(0).name(), both.name());
  mine.set_credit_code(b);
  EXPECT_EQ(stub_->ListTestSessions(As(Inst(a)).get(), mine, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  mine.set_credit_code("not-a-code");
  EXPECT_EQ(stub_->ListTestSessions(As(City()).get(), mine, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListTestResultsRequest results;
  results.set_parent(both.name());
  v1::ListTestResultsResponse all;
  ASSERT_TRUE(stub_->ListTestResults(As(City()).get(), results, &all).ok());
  ASSERT_EQ(all.test_results_size(), 2);
  EXPECT_EQ(all.test_results(0).credit_code(), a);
  EXPECT_EQ(all.test_results(0).score_hundredths(), 8000);
  EXPECT_EQ(all.test_results(1).status(), v1::EXCUSE_PENDING);
  v1::ListTestResultsResponse own;
  ASSERT_TRUE(stub_->ListTestResults(As(Inst(a)).get(), results, &own).ok());
  ASSERT_EQ(own.test_results_size(), 1);
  EXPECT_EQ(own.test_results(0).credit_code(), a);
  results.set_page_size(1);
  ASSERT_TRUE(stub_->ListTestResults(As(Service()).get(), results, &all).ok());
  ASSERT_EQ(all.test_results_size(), 1);
  results.set_page_token(all.next_page_token());
  ASSERT_TRUE(stub_->ListTestResults(As(Service()).get(), results, &all).ok());
  ASSERT_EQ(all.test_results_size(), 1);
  EXPECT_EQ(all.test_results(0).credit_code(), b);
  EXPECT_TRUE(all.next_page_token().empty());
}

// --- R9.1 meetings -------------------------------------------------------------------------

class Meetings : public TrainingTest {
 protected:
  static v1::Meeting Meet(const std::string& date, const std::string& organiser,
                          const Principal& who = City()) {
    static int n = 0;
    v1::CreateMeetingRequest req;
    req.set_request_id(absl::StrCat("meeting-", ++n));
    req.mutable_meeting()->set_title("服务机构交流会");
    if (!date.empty()) *req.mutable_meeting()->mutable_date() = wire::testing::D(date);
    req.mutable_meeting()->set_organiser(organiser);
    req.mutable_meeting()->add_attendee_credit_codes(kInstA);
    v1::Meeting out;
    grpc::Status s = stub_->CreateMeeting(As(who).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(Meetings, TheReportListsYearsAndOrganisersWithFewerThanTwoHeld) {
  SetToday(Day("2026-06-30"));
  Meet("2025-03-01", "CITY");
  Meet("2025-09-01", "CITY");
  Meet("2025-05-01", "330302", County("330302"));
  Meet("2026-03-01", "CITY");
  Meet("2026-09-01", "CITY");  // planned, not yet held
  v1::GetMeetingReportRequest req;
  req.set_first_year(2025);
  req.set_last_year(2026);
  req.add_organisers("CITY");
  req.add_organisers("330302");
  v1::MeetingReport report;
  ASSERT_TRUE(stub_->GetMeetingReport(As(City()).get(), req, &report).ok());
  std::vector<std::string> got;
  for (const auto& s : report.shortfalls()) {
    got.push_back(absl::StrCat(s.year(), "/", s.organiser(), "/", s.held()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"2025/330302/1", "2026/CITY/1", "2026/330302/0"}));
  EXPECT_NE(report.shortfalls(0).message().find("R9.1"), std::string::npos);
  // Default organisers: the city and every county-level division (12 counties).
  req.clear_organisers();
  ASSERT_TRUE(stub_->GetMeetingReport(As(City()).get(), req, &report).ok());
  EXPECT_EQ(report.shortfalls_size(), 12 + 1 + 12);  // 2025: counties; 2026: all
  // A county bureau records only its own meetings.
  v1::CreateMeetingRequest foreign;
  foreign.set_request_id("foreign");
  foreign.mutable_meeting()->set_title("交流会");
  *foreign.mutable_meeting()->mutable_date() = wire::testing::D("2025-05-01");
  foreign.mutable_meeting()->set_organiser("330303");
  v1::Meeting out;
  EXPECT_EQ(stub_->CreateMeeting(As(County("330302")).get(), foreign, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(Meetings, InstitutionsRaiseProblemsAndTheBureauAnswers) {
  SetToday(Day("2025-06-30"));
  v1::Meeting county = Meet("2025-05-01", "330302", County("330302"));
  v1::SubmitProblemRequest submit;
  submit.set_parent(county.name());
  submit.set_request_id("p1");
  submit.mutable_problem()->set_text("企业对诊断报告的采纳率低");
  v1::Problem p, again;
  ASSERT_TRUE(stub_->SubmitProblem(As(Inst(kInstA)).get(), submit, &p).ok());
  ASSERT_TRUE(stub_->SubmitProblem(As(Inst(kInstA)).get(), submit, &again).ok());
  EXPECT_EQ(again.name(), p.name());
  EXPECT_EQ(p.credit_code(), kInstA);
  submit.set_request_id("p2");
  v1::Problem other;
  ASSERT_TRUE(stub_->SubmitProblem(As(Inst(kInstB)).get(), submit, &other).ok());
  EXPECT_EQ(Count("problems"), 2);

  v1::AnswerProblemRequest answer;
  answer.set_name(p.name());
  answer.set_answer("将组织专题培训");
  answer.set_version(p.version());
  v1::Problem answered;
  EXPECT_EQ(stub_->AnswerProblem(As(County("330303")).get(), answer, &answered).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->AnswerProblem(As(County("330302")).get(), answer, &answered).ok());
  EXPECT_EQ(answered.answer(), "将组织专题培训");
  EXPECT_EQ(answered.answered_by(), "county-330302");
  EXPECT_EQ(stub_->AnswerProblem(As(City()).get(), answer, &answered).error_code(),
            grpc::StatusCode::ABORTED);

  v1::ListProblemsRequest list;
  list.set_parent(county.name());
  v1::ListProblemsResponse mine, all;
  ASSERT_TRUE(stub_->ListProblems(As(Inst(kInstB)).get(), list, &mine).ok());
  ASSERT_EQ(mine.problems_size(), 1);
  EXPECT_EQ(mine.problems(0).name(), other.name());
  ASSERT_TRUE(stub_->ListProblems(As(City()).get(), list, &all).ok());
  EXPECT_EQ(all.problems_size(), 2);
  EXPECT_EQ(stub_->ListProblems(As(County("330303")).get(), list, &all).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace zhigai::training
