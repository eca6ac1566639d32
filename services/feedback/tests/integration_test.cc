// The feedback service against a real PostgreSQL, over real gRPC on port 0. Tracking is
// replaced by a fake engagement directory; the registry is not needed here (sanction commands
// are asserted in the outbox; sanction_test.cc delivers them to a real registry).
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/server/grpc_status.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/testing/literals.h"
#include "services/feedback/tests/feedback_fixture.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::feedback {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers
using auth::Principal;

constexpr char kDivision[] = "330302";

std::string ReasonOfStatus(const grpc::Status& s) { return server::testing::ReasonOf(s); }

// The fields named by the google.rpc.BadRequest detail of an INVALID_ARGUMENT answer.
std::set<std::string> FieldsOf(const grpc::Status& s) {
  std::vector<std::string> fields = server::testing::FieldsOf(s);
  return {fields.begin(), fields.end()};
}

class FeedbackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { h_ = std::make_unique<Harness>(/*with_registry=*/false); }
  static void TearDownTestSuite() { h_.reset(); }

  static std::string Engagement(int id) { return absl::StrCat("engagements/", id); }

  // A delivered engagement of `enterprise` served by `institution`.
  static std::string Delivered(int id, const std::string& enterprise,
                               const std::string& institution, absl::CivilDay day,
                               const std::string& division = kDivision) {
    h_->engagements().Put(Engagement(id),
                          {enterprise, institution, EngagementState::kDelivered, day, division});
    return Engagement(id);
  }

  static grpc::Status Rate(const Principal& who, const std::string& engagement,
                           v1::SatisfactionLevel content, v1::SatisfactionLevel results,
                           int64_t version, const std::string& request_id, v1::Rating* out,
                           const std::string& comment = "") {
    v1::RateEngagementRequest req;
    req.set_engagement(engagement);
    req.set_content(content);
    req.set_results(results);
    req.set_comment(comment);
    req.set_version(version);
    req.set_request_id(request_id);
    return h_->stub().RateEngagement(Harness::As(who).get(), req, out);
  }

  static v1::Complaint File(const std::string& enterprise, const std::string& institution,
                            const std::string& request_id, const std::string& engagement = "") {
    h_->registry().Register(institution);  // a complaint names a registered institution
    v1::FileComplaintRequest req;
    req.set_request_id(request_id);
    auto* c = req.mutable_complaint();
    c->set_institution_credit_code(institution);
    c->set_engagement(engagement);
    c->set_description("诊断报告照搬模板，与企业实际不符，造成损失");
    c->add_evidence_document_ids("doc-evidence-1");
    c->mutable_contact()->set_name("王五");
    c->mutable_contact()->set_phone("13905771234");
    v1::Complaint out;
    grpc::Status s = h_->stub().FileComplaint(Harness::As(Enterprise(enterprise)).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static grpc::Status Verify(const v1::Complaint& c, v1::ComplaintOutcome outcome,
                             const std::string& date, v1::Complaint* out,
                             const Principal& who = City()) {
    v1::VerifyComplaintRequest req;
    req.set_name(c.name());
    req.set_outcome(outcome);
    req.set_reasons("经调查核实");
    if (!date.empty()) *req.mutable_verification_date() = wire::testing::D(date);
    req.set_version(c.version());
    return h_->stub().VerifyComplaint(Harness::As(who).get(), req, out);
  }

  static int64_t Orders(const std::string& institution) {
    return h_->Count("feedback.outbox", absl::StrCat("command_id LIKE '%", institution, "%'"));
  }

  // The one outbox command for `institution`, decoded.
  static registry::v1::ImposeSanctionRequest OnlyOrder(const std::string& institution) {
    registry::v1::ImposeSanctionRequest req;
    auto admin = h_->database().Admin();
    auto r =
        admin->QueryScript(absl::StrCat("SELECT encode(payload, 'hex'), target, method FROM "
                                        "feedback.outbox WHERE command_id LIKE '%",
                                        institution, "%'"));
    EXPECT_TRUE(r.ok());
    if (!r.ok() || r->rows() != 1) {
      ADD_FAILURE() << "expected one outbox command for " << institution;
      return req;
    }
    EXPECT_EQ(r->String(0, 1), "registry");
    EXPECT_EQ(r->String(0, 2), "/zhigai.registry.v1.RegistryService/ImposeSanction");
    std::string hex = r->String(0, 0), bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    EXPECT_TRUE(req.ParseFromString(bytes));
    return req;
  }

  static inline std::unique_ptr<Harness> h_;
};

// ---- ratings -------------------------------------------------------------------------------

TEST_F(FeedbackTest, OnlyTheServedEnterpriseRatesAndOnlyOnceDelivered) {
  const std::string inst = Code("MA1A", 101), owner = Code("MA2E", 101),
                    stranger = Code("MA2E", 102);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  const std::string e = Delivered(101, owner, inst, absl::CivilDay(2025, 12, 20));
  h_->engagements().Put(Engagement(102),
                        {owner, inst, EngagementState::kInProgress, {}, kDivision});
  v1::Rating out;

  grpc::Status s = Rate(Enterprise(owner), Engagement(199), v1::VERY_SATISFIED, v1::AVERAGE, 0,
                        "r-unknown", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Rate(Enterprise(owner), Engagement(102), v1::VERY_SATISFIED, v1::AVERAGE, 0, "r-undelivered",
           &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOfStatus(s), "ENGAGEMENT_NOT_DELIVERED");
  s = Rate(Enterprise(stranger), e, v1::VERY_SATISFIED, v1::AVERAGE, 0, "r-stranger", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOfStatus(s), "NOT_ENGAGEMENT_ENTERPRISE");
  s = Rate(Institution(inst), e, v1::VERY_SATISFIED, v1::AVERAGE, 0, "r-inst", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_->Count("feedback.ratings", "institution_credit_code = '" + inst + "'"), 0);

  s = Rate(Enterprise(owner), e, v1::VERY_SATISFIED, v1::AVERAGE, 0, "r-ok", &out, "很专业");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), e + "/rating");
  EXPECT_EQ(out.institution_credit_code(), inst);
  EXPECT_EQ(out.enterprise_credit_code(), owner);
  EXPECT_EQ(out.engagement_year(), 2025);  // the year of delivery, not of rating
  EXPECT_EQ(out.content(), v1::VERY_SATISFIED);
  EXPECT_EQ(out.results(), v1::AVERAGE);
  EXPECT_EQ(out.comment(), "很专业");
  EXPECT_EQ(out.source(), v1::ENTERPRISE);
  EXPECT_EQ(wire::DateText(out.first_rated_date()), "2026-03-01");
  EXPECT_EQ(wire::DateText(out.last_change_date()), "2026-03-08");  // default period: 7 days
  EXPECT_EQ(out.version(), 1);
}

TEST_F(FeedbackTest, AcceptedEngagementsMayBeRatedToo) {
  const std::string inst = Code("MA1A", 111), owner = Code("MA2E", 111);
  h_->engagements().Put(Engagement(111), {owner, inst, EngagementState::kAccepted,
                                          absl::CivilDay(2025, 6, 1), kDivision});
  v1::Rating out;
  EXPECT_TRUE(Rate(Enterprise(owner), Engagement(111), v1::FAIRLY_SATISFIED, v1::FAIRLY_SATISFIED,
                   0, "r-accepted", &out)
                  .ok());
  EXPECT_EQ(out.engagement_year(), 2025);
}

TEST_F(FeedbackTest, BadRatingInputNamesEveryFieldAndWritesNothing) {
  const std::string inst = Code("MA1A", 121), owner = Code("MA2E", 121);
  const std::string e = Delivered(121, owner, inst, absl::CivilDay(2025, 5, 5));
  const int64_t audits = h_->Count("feedback.audit_log");
  v1::Rating out;
  grpc::Status s = Rate(Enterprise(owner), "engagement/12x", v1::SATISFACTION_LEVEL_UNSPECIFIED,
                        v1::SATISFACTION_LEVEL_UNSPECIFIED, -1, "", &out, std::string(501, 'x'));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"engagement", "content", "results", "comment",
                                                "request_id", "version"}));
  // A 500-character comment (characters, not bytes: 1500 bytes) is the longest allowed.
  std::string longest;
  for (int i = 0; i < 500; ++i) longest += "好";
  s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::UNSATISFIED, 0, "r-501", &out, longest + "好");
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"comment"}));
  EXPECT_EQ(h_->Count("feedback.audit_log"), audits);
  s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::UNSATISFIED, 0, "r-500", &out, longest);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(FeedbackTest, OneRatingPerEngagementChangedWithinThePeriodEveryChangeAudited) {
  const std::string inst = Code("MA1A", 131), owner = Code("MA2E", 131);
  const std::string e = Delivered(131, owner, inst, absl::CivilDay(2025, 11, 11));
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Rating first, again, changed, out;
  ASSERT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "r-1", &first).ok());
  // The same request again is the same answer, not a second rating.
  ASSERT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "r-1", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  grpc::Status s = Rate(Enterprise(owner), e, v1::UNSATISFIED, v1::AVERAGE, 0, "r-2", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOfStatus(s), "RATING_EXISTS");

  h_->SetToday(absl::CivilDay(2026, 3, 8));  // day 7 of 7: the last day a change is allowed
  ASSERT_TRUE(
      Rate(Enterprise(owner), e, v1::VERY_SATISFIED, v1::FAIRLY_SATISFIED, 1, "r-3", &changed)
          .ok());
  EXPECT_EQ(changed.version(), 2);
  EXPECT_EQ(changed.content(), v1::VERY_SATISFIED);
  EXPECT_EQ(wire::DateText(changed.first_rated_date()), "2026-03-01");
  s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 1, "r-4", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);

  h_->SetToday(absl::CivilDay(2026, 3, 9));
  s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 2, "r-5", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOfStatus(s), "RATING_CHANGE_PERIOD_OVER");

  EXPECT_EQ(h_->Count("feedback.ratings", "engagement = '" + e + "'"), 1);
  EXPECT_EQ(h_->Count("feedback.audit_log", "entity = 'rating' AND entity_id = '" + e + "/rating'"),
            2);
  EXPECT_EQ(
      h_->Scalar("SELECT string_agg(rv.content, ',' ORDER BY rv.version) FROM "
                 "feedback.rating_revisions rv JOIN feedback.ratings r ON r.id = rv.rating_id "
                 "WHERE r.engagement = '" +
                 e + "'"),
      "AVERAGE,VERY_SATISFIED");
}

TEST_F(FeedbackTest, TheCityBureauSetsTheChangePeriodPerYear) {
  const std::string inst = Code("MA1A", 141), owner = Code("MA2E", 141);
  v1::RatingSettings read, set, out;
  v1::GetRatingSettingsRequest get;
  get.set_name("ratingSettings/2024");
  ASSERT_TRUE(h_->stub().GetRatingSettings(Harness::As(Enterprise(owner)).get(), get, &read).ok());
  EXPECT_EQ(read.change_period_days(), 7);
  EXPECT_EQ(read.version(), 0);

  v1::UpdateRatingSettingsRequest req;
  req.mutable_settings()->set_name("ratingSettings/2024");
  req.mutable_settings()->set_change_period_days(366);
  grpc::Status s = h_->stub().UpdateRatingSettings(Harness::As(City()).get(), req, &out);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"settings.change_period_days"}));
  req.mutable_settings()->set_change_period_days(0);
  s = h_->stub().UpdateRatingSettings(Harness::As(County(kDivision)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(h_->stub().UpdateRatingSettings(Harness::As(City()).get(), req, &set).ok());
  EXPECT_EQ(set.version(), 1);
  EXPECT_EQ(set.change_period_days(), 0);
  s = h_->stub().UpdateRatingSettings(Harness::As(City()).get(), req, &out);  // version 0 again
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(h_->Count("feedback.audit_log", "entity = 'rating_settings'"), 1);

  // Period 0 for 2024 engagements: changes on the first day only.
  const std::string e = Delivered(141, owner, inst, absl::CivilDay(2024, 10, 1));
  h_->SetToday(absl::CivilDay(2025, 2, 1));
  v1::Rating rating;
  ASSERT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "p-1", &rating).ok());
  EXPECT_EQ(wire::DateText(rating.last_change_date()), "2025-02-01");
  ASSERT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::UNSATISFIED, 1, "p-2", &rating).ok());
  h_->SetToday(absl::CivilDay(2025, 2, 2));
  s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 2, "p-3", &rating);
  EXPECT_EQ(ReasonOfStatus(s), "RATING_CHANGE_PERIOD_OVER");
}

TEST_F(FeedbackTest, PhoneRatingsAreMarkedAndScopedToTheBureausDivision) {
  const std::string inst = Code("MA1A", 151), owner = Code("MA2E", 151);
  const std::string e = Delivered(151, owner, inst, absl::CivilDay(2025, 7, 7), "330303");
  h_->SetToday(absl::CivilDay(2026, 1, 10));
  v1::RecordPhoneRatingRequest req;
  req.set_engagement(e);
  req.set_content(v1::FAIRLY_SATISFIED);
  req.set_results(v1::AVERAGE);
  req.set_request_id("phone-1");
  v1::Rating out;
  grpc::Status s = h_->stub().RecordPhoneRating(Harness::As(Enterprise(owner)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = h_->stub().RecordPhoneRating(Harness::As(County(kDivision)).get(), req, &out);
  EXPECT_EQ(ReasonOfStatus(s), "OUTSIDE_DIVISION");
  s = h_->stub().RecordPhoneRating(Harness::As(County("330303")).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.source(), v1::PHONE_FOLLOW_UP);
  EXPECT_EQ(out.recorded_by(), "county-staff-330303");
  EXPECT_EQ(out.enterprise_credit_code(), owner);

  // The enterprise sees that it was recorded by phone, not which staff member did it.
  v1::GetRatingRequest get;
  get.set_name(e + "/rating");
  v1::Rating seen;
  ASSERT_TRUE(h_->stub().GetRating(Harness::As(Enterprise(owner)).get(), get, &seen).ok());
  EXPECT_EQ(seen.source(), v1::PHONE_FOLLOW_UP);
  EXPECT_EQ(seen.recorded_by(), "");
  // Within the period the enterprise may correct it; the rating is then its own.
  ASSERT_TRUE(
      Rate(Enterprise(owner), e, v1::VERY_SATISFIED, v1::VERY_SATISFIED, 1, "own", &out).ok());
  EXPECT_EQ(out.source(), v1::ENTERPRISE);
  EXPECT_EQ(out.recorded_by(), "");
}

TEST_F(FeedbackTest, RatingsAreScopedToTheirPartiesAndPaged) {
  const std::string inst = Code("MA1A", 161), other = Code("MA1A", 162);
  h_->SetToday(absl::CivilDay(2026, 2, 1));
  for (int i = 0; i < 3; ++i) {
    const std::string owner = Code("MA2E", 161 + i);
    const std::string e = Delivered(161 + i, owner, inst, absl::CivilDay(2025, 3, 1 + i));
    v1::Rating out;
    ASSERT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "list", &out).ok());
  }
  v1::GetRatingRequest get;
  get.set_name(Engagement(161) + "/rating");
  v1::Rating seen;
  EXPECT_TRUE(h_->stub().GetRating(Harness::As(Institution(inst)).get(), get, &seen).ok());
  EXPECT_EQ(h_->stub().GetRating(Harness::As(Institution(other)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_->stub()
                .GetRating(Harness::As(Enterprise(Code("MA2E", 162))).get(), get, &seen)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      h_->stub().GetRating(Harness::As(Principal::Anonymous()).get(), get, &seen).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // The institution pages through its own ratings; it may not ask for another's.
  std::vector<std::string> names;
  v1::ListRatingsRequest list;
  list.set_page_size(2);
  for (int page = 0; page < 3; ++page) {
    v1::ListRatingsResponse resp;
    ASSERT_TRUE(h_->stub().ListRatings(Harness::As(Institution(inst)).get(), list, &resp).ok());
    for (const auto& r : resp.ratings()) names.push_back(r.name());
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{Engagement(161) + "/rating", Engagement(162) + "/rating",
                                      Engagement(163) + "/rating"}));
  v1::ListRatingsRequest foreign;
  foreign.set_institution_credit_code(other);
  v1::ListRatingsResponse resp;
  EXPECT_EQ(
      h_->stub().ListRatings(Harness::As(Institution(inst)).get(), foreign, &resp).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListRatingsRequest mine;
  ASSERT_TRUE(
      h_->stub().ListRatings(Harness::As(Enterprise(Code("MA2E", 162))).get(), mine, &resp).ok());
  ASSERT_EQ(resp.ratings_size(), 1);
  EXPECT_EQ(resp.ratings(0).engagement(), Engagement(162));
}

TEST_F(FeedbackTest, TrackingDownMeansUnavailableAndNothingWritten) {
  const std::string inst = Code("MA1A", 171), owner = Code("MA2E", 171);
  const std::string e = Delivered(171, owner, inst, absl::CivilDay(2025, 3, 1));
  h_->engagements().SetDown(true);
  v1::Rating out;
  grpc::Status s = Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "down", &out);
  h_->engagements().SetDown(false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(h_->Count("feedback.ratings", "engagement = '" + e + "'"), 0);
  // The retry with the same request id succeeds once tracking is back.
  EXPECT_TRUE(Rate(Enterprise(owner), e, v1::AVERAGE, v1::AVERAGE, 0, "down", &out).ok());
}

// ---- complaints ----------------------------------------------------------------------------

TEST_F(FeedbackTest, ComplaintInputIsCheckedAndAnEngagementMustMatch) {
  const std::string inst = Code("MA1A", 201), owner = Code("MA2E", 201),
                    other_inst = Code("MA1A", 202), stranger = Code("MA2E", 202);
  const std::string e = Delivered(201, owner, inst, absl::CivilDay(2025, 3, 1));
  v1::FileComplaintRequest req;
  req.set_request_id("c-bad");
  req.mutable_complaint()->set_institution_credit_code("not-a-code");
  for (int i = 0; i < 21; ++i) req.mutable_complaint()->add_evidence_document_ids("d");
  req.mutable_complaint()->mutable_contact()->set_phone("12345");
  v1::Complaint out;
  grpc::Status s = h_->stub().FileComplaint(Harness::As(Enterprise(owner)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            (std::set<std::string>{"complaint.institution_credit_code", "complaint.description",
                                   "complaint.evidence_document_ids", "complaint.contact.phone"}));

  req.mutable_complaint()->clear_evidence_document_ids();
  req.mutable_complaint()->clear_contact();
  req.mutable_complaint()->set_description("服务敷衍");
  // A well-formed code that was never registered: NOT_FOUND naming it, nothing written.
  req.mutable_complaint()->set_institution_credit_code(other_inst);
  s = h_->stub().FileComplaint(Harness::As(Enterprise(owner)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOfStatus(s), "INSTITUTION_NOT_REGISTERED");
  EXPECT_NE(s.error_message().find(other_inst), std::string::npos) << s.error_message();
  ASSERT_TRUE(h_->registry().Register(other_inst));
  ASSERT_TRUE(h_->registry().Register(inst));
  req.mutable_complaint()->set_engagement(e);
  s = h_->stub().FileComplaint(Harness::As(Enterprise(owner)).get(), req, &out);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"complaint.engagement"}));
  req.mutable_complaint()->set_institution_credit_code(inst);
  s = h_->stub().FileComplaint(Harness::As(Enterprise(stranger)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = h_->stub().FileComplaint(Harness::As(Institution(inst)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_->Count("feedback.complaints", "institution_credit_code = '" + inst + "'"), 0);

  s = h_->stub().FileComplaint(Harness::As(Enterprise(owner)).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.complainant_credit_code(), owner);
  EXPECT_EQ(out.division_code(), kDivision);  // from the engagement: the county may handle it
  EXPECT_EQ(out.outcome(), v1::PENDING);
  EXPECT_EQ(
      h_->Count("feedback.audit_log", "entity = 'complaint' AND entity_id = '" + out.name() + "'"),
      1);
}

TEST_F(FeedbackTest, TheInstitutionSeesVerifiedComplaintsWithoutTheComplainantsPerson) {
  const std::string inst = Code("MA1A", 211), owner = Code("MA2E", 211),
                    stranger = Code("MA2E", 212);
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  v1::Complaint pending = File(owner, inst, "v-1");
  v1::Complaint rejected = File(owner, inst, "v-2");
  v1::Complaint verified = File(owner, inst, "v-3");
  v1::Complaint out;
  ASSERT_TRUE(Verify(rejected, v1::REJECTED, "2026-04-01", &out).ok());
  ASSERT_TRUE(Verify(verified, v1::VERIFIED_NOT_SERIOUS, "2026-04-01", &out).ok());
  EXPECT_EQ(out.verified_by(), "city-staff-1");

  v1::GetComplaintRequest get;
  v1::Complaint seen;
  get.set_name(pending.name());
  EXPECT_EQ(h_->stub().GetComplaint(Harness::As(Institution(inst)).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  get.set_name(verified.name());
  ASSERT_TRUE(h_->stub().GetComplaint(Harness::As(Institution(inst)).get(), get, &seen).ok());
  EXPECT_EQ(seen.outcome(), v1::VERIFIED_NOT_SERIOUS);
  EXPECT_FALSE(seen.has_contact());
  EXPECT_EQ(seen.verified_by(), "");
  EXPECT_EQ(seen.description(), verified.description());

  // The complainant sees its own complaints and their status, with its contact.
  ASSERT_TRUE(h_->stub().GetComplaint(Harness::As(Enterprise(owner)).get(), get, &seen).ok());
  EXPECT_EQ(seen.contact().name(), "王五");
  EXPECT_EQ(
      h_->stub().GetComplaint(Harness::As(Enterprise(stranger)).get(), get, &seen).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  v1::ListComplaintsRequest list;
  v1::ListComplaintsResponse resp;
  ASSERT_TRUE(h_->stub().ListComplaints(Harness::As(Institution(inst)).get(), list, &resp).ok());
  ASSERT_EQ(resp.complaints_size(), 1);
  EXPECT_EQ(resp.complaints(0).name(), verified.name());
  EXPECT_FALSE(resp.complaints(0).has_contact());
  ASSERT_TRUE(h_->stub().ListComplaints(Harness::As(Enterprise(owner)).get(), list, &resp).ok());
  std::set<v1::ComplaintOutcome> outcomes;
  for (const auto& c : resp.complaints()) outcomes.insert(c.outcome());
  EXPECT_EQ(outcomes,
            (std::set<v1::ComplaintOutcome>{v1::PENDING, v1::REJECTED, v1::VERIFIED_NOT_SERIOUS}));
}

TEST_F(FeedbackTest, VerificationIsOnceWithAValidDateAndTheCurrentVersion) {
  const std::string inst = Code("MA1A", 221), owner = Code("MA2E", 221);
  h_->SetToday(absl::CivilDay(2026, 4, 10));
  v1::Complaint c = File(owner, inst, "w-1");
  v1::Complaint out;
  EXPECT_EQ(FieldsOf(Verify(c, v1::PENDING, "2026-04-10", &out)),
            (std::set<std::string>{"outcome"}));
  EXPECT_EQ(FieldsOf(Verify(c, v1::REJECTED, "2026-04-09", &out)),  // before filing
            (std::set<std::string>{"verification_date"}));
  EXPECT_EQ(FieldsOf(Verify(c, v1::REJECTED, "2026-04-11", &out)),  // in the future
            (std::set<std::string>{"verification_date"}));
  EXPECT_EQ(Verify(c, v1::REJECTED, "2026-04-10", &out, Enterprise(owner)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Not about an engagement: no division, so only the city bureau handles it.
  EXPECT_EQ(ReasonOfStatus(Verify(c, v1::REJECTED, "2026-04-10", &out, County(kDivision))),
            "OUTSIDE_DIVISION");
  v1::Complaint stale = c;
  stale.set_version(7);
  EXPECT_EQ(Verify(stale, v1::REJECTED, "2026-04-10", &out).error_code(),
            grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Verify(c, v1::REJECTED, "2026-04-10", &out).ok());
  EXPECT_EQ(out.outcome(), v1::REJECTED);
  EXPECT_EQ(wire::DateText(out.verification_date()), "2026-04-10");
  EXPECT_EQ(out.version(), 2);
  grpc::Status s = Verify(out, v1::VERIFIED_SERIOUS, "2026-04-10", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOfStatus(s), "COMPLAINT_ALREADY_DECIDED");
}

TEST_F(FeedbackTest, CountyBureauVerifiesComplaintsAboutEngagementsInItsDivision) {
  const std::string inst = Code("MA1A", 231), owner = Code("MA2E", 231);
  const std::string e = Delivered(231, owner, inst, absl::CivilDay(2025, 3, 1), "330303");
  h_->SetToday(absl::CivilDay(2026, 4, 10));
  v1::Complaint c = File(owner, inst, "county-1", e);
  v1::Complaint out;
  EXPECT_EQ(ReasonOfStatus(Verify(c, v1::REJECTED, "2026-04-10", &out, County(kDivision))),
            "OUTSIDE_DIVISION");
  EXPECT_TRUE(Verify(c, v1::REJECTED, "2026-04-10", &out, County("330303")).ok());
}

// ---- R14.5 thresholds ----------------------------------------------------------------------

TEST_F(FeedbackTest, TwoDistinctEnterprisesAndARejectedComplaintDoNotBar) {
  const std::string inst = Code("MA1A", 301);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Complaint a = File(Code("MA2E", 301), inst, "t1-a");
  v1::Complaint b = File(Code("MA2E", 302), inst, "t1-b");
  v1::Complaint c = File(Code("MA2E", 303), inst, "t1-c");
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  v1::Complaint out;
  ASSERT_TRUE(Verify(a, v1::VERIFIED_SERIOUS, "2026-03-10", &out).ok());
  ASSERT_TRUE(Verify(b, v1::VERIFIED_SERIOUS, "2026-03-15", &out).ok());
  ASSERT_TRUE(Verify(c, v1::REJECTED, "2026-03-20", &out).ok());
  EXPECT_EQ(Orders(inst), 0);
  EXPECT_EQ(h_->Count("feedback.sanction_orders", "institution_credit_code = '" + inst + "'"), 0);
}

TEST_F(FeedbackTest, ThreeDistinctEnterprisesBarFromTheThirdVerificationDate) {
  const std::string inst = Code("MA1A", 311);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Complaint a = File(Code("MA2E", 311), inst, "t2-a");
  v1::Complaint b = File(Code("MA2E", 312), inst, "t2-b");
  v1::Complaint c = File(Code("MA2E", 313), inst, "t2-c");
  v1::Complaint d = File(Code("MA2E", 314), inst, "t2-d");
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  v1::Complaint out;
  ASSERT_TRUE(Verify(a, v1::VERIFIED_SERIOUS, "2026-03-10", &out).ok());
  ASSERT_TRUE(Verify(b, v1::VERIFIED_SERIOUS, "2026-03-15", &out).ok());
  EXPECT_EQ(Orders(inst), 0);
  ASSERT_TRUE(Verify(c, v1::VERIFIED_SERIOUS, "2026-03-20", &out).ok());
  EXPECT_EQ(Orders(inst), 1);
  const auto order = OnlyOrder(inst);
  EXPECT_EQ(order.kind(), registry::v1::BAR);
  EXPECT_EQ(order.credit_code(), inst);
  EXPECT_EQ(wire::DateText(order.start_date()), "2026-03-20");
  EXPECT_EQ(order.command_id(), "bar:" + inst + ":2026-03-20");
  EXPECT_EQ(order.source_reference(), absl::StrCat(a.name(), ",", b.name(), ",", c.name()));
  EXPECT_NE(order.reason().find("R14.5"), std::string::npos);
  // A fourth serious complaint re-decides and orders nothing new.
  ASSERT_TRUE(Verify(d, v1::VERIFIED_SERIOUS, "2026-03-25", &out).ok());
  EXPECT_EQ(Orders(inst), 1);
  EXPECT_EQ(h_->Count("feedback.audit_log",
                      "entity = 'sanction_order' AND entity_id = '" + order.command_id() + "'"),
            1);
}

TEST_F(FeedbackTest, ThreeComplaintsFromOneEnterpriseBar) {
  const std::string inst = Code("MA1A", 321), owner = Code("MA2E", 321);
  h_->SetToday(absl::CivilDay(2026, 5, 1));
  v1::Complaint a = File(owner, inst, "t3-a");
  v1::Complaint b = File(owner, inst, "t3-b");
  v1::Complaint c = File(owner, inst, "t3-c");
  h_->SetToday(absl::CivilDay(2026, 6, 30));
  v1::Complaint out;
  ASSERT_TRUE(Verify(a, v1::VERIFIED_SERIOUS, "2026-05-02", &out).ok());
  ASSERT_TRUE(Verify(b, v1::VERIFIED_SERIOUS, "2026-06-01", &out).ok());
  EXPECT_EQ(Orders(inst), 0);
  ASSERT_TRUE(Verify(c, v1::VERIFIED_SERIOUS, "2026-06-30", &out).ok());
  const auto order = OnlyOrder(inst);
  EXPECT_EQ(order.kind(), registry::v1::BAR);
  EXPECT_EQ(wire::DateText(order.start_date()), "2026-06-30");
  EXPECT_NE(order.reason().find("one enterprise"), std::string::npos);
}

TEST_F(FeedbackTest, ComplaintsVerifiedWithoutSeriousHarmDoNotCount) {
  const std::string inst = Code("MA1A", 331);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Complaint a = File(Code("MA2E", 331), inst, "t4-a");
  v1::Complaint b = File(Code("MA2E", 332), inst, "t4-b");
  v1::Complaint c = File(Code("MA2E", 333), inst, "t4-c");
  v1::Complaint d = File(Code("MA2E", 334), inst, "t4-d");
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  v1::Complaint out;
  ASSERT_TRUE(Verify(a, v1::VERIFIED_SERIOUS, "2026-03-02", &out).ok());
  ASSERT_TRUE(Verify(b, v1::VERIFIED_NOT_SERIOUS, "2026-03-03", &out).ok());
  ASSERT_TRUE(Verify(c, v1::VERIFIED_SERIOUS, "2026-03-04", &out).ok());
  EXPECT_EQ(Orders(inst), 0);
  ASSERT_TRUE(Verify(d, v1::VERIFIED_SERIOUS, "2026-03-05", &out).ok());
  EXPECT_EQ(wire::DateText(OnlyOrder(inst).start_date()), "2026-03-05");
}

TEST_F(FeedbackTest, ConcurrentVerificationsOfTheSecondAndThirdComplaintStillBarOnce) {
  const std::string inst = Code("MA1A", 341);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Complaint a = File(Code("MA2E", 341), inst, "t5-a");
  v1::Complaint b = File(Code("MA2E", 342), inst, "t5-b");
  v1::Complaint c = File(Code("MA2E", 343), inst, "t5-c");
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  v1::Complaint out;
  ASSERT_TRUE(Verify(a, v1::VERIFIED_SERIOUS, "2026-03-02", &out).ok());
  std::atomic<int> ok{0};
  std::thread tb([&] {
    v1::Complaint o;
    if (Verify(b, v1::VERIFIED_SERIOUS, "2026-03-03", &o).ok()) ++ok;
  });
  std::thread tc([&] {
    v1::Complaint o;
    if (Verify(c, v1::VERIFIED_SERIOUS, "2026-03-03", &o).ok()) ++ok;
  });
  tb.join();
  tc.join();
  EXPECT_EQ(ok.load(), 2);
  EXPECT_EQ(wire::DateText(OnlyOrder(inst).start_date()), "2026-03-03");
}

// ---- R14.4 ---------------------------------------------------------------------------------

TEST_F(FeedbackTest, APlagiarismFindingOrdersACancellationForTheRestOfTheYear) {
  const std::string inst = Code("MA1A", 401);
  h_->SetToday(absl::CivilDay(2026, 5, 6));
  v1::RecordPlagiarismFindingRequest req;
  req.set_request_id("plag-1");
  auto* f = req.mutable_finding();
  f->set_institution_credit_code(inst);
  *f->mutable_finding_date() = wire::testing::D("2026-05-07");
  f->set_description("方案设计报告与另一机构报告雷同");
  v1::PlagiarismFinding out, again;
  grpc::Status s = h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out);
  EXPECT_EQ(FieldsOf(s),
            (std::set<std::string>{"finding.finding_date", "finding.evidence_document_ids"}));
  *f->mutable_finding_date() = wire::testing::D("2026-05-06");
  f->add_evidence_document_ids("doc-compare-1");
  s = h_->stub().RecordPlagiarismFinding(Harness::As(County(kDivision)).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Orders(inst), 0);
  // The cancellation is for a registered institution: NOT_FOUND naming it, nothing written
  // (the registry would refuse the order for good).
  s = h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOfStatus(s), "INSTITUTION_NOT_REGISTERED");
  EXPECT_EQ(Orders(inst), 0);
  EXPECT_EQ(h_->Count("feedback.plagiarism_findings", "institution_credit_code = '" + inst + "'"),
            0);
  h_->registry().Register(inst);

  ASSERT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out).ok());
  EXPECT_EQ(wire::DateText(out.cancellation_last_day()), "2026-12-31");
  EXPECT_EQ(out.recorded_by(), "city-staff-1");
  ASSERT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &again).ok());
  EXPECT_EQ(again.name(), out.name());
  const auto order = OnlyOrder(inst);
  EXPECT_EQ(order.kind(), registry::v1::CANCEL);
  EXPECT_EQ(wire::DateText(order.start_date()), "2026-05-06");
  EXPECT_EQ(order.command_id(), "cancel:" + inst + ":2026-05-06");
  EXPECT_EQ(order.source_reference(), out.name());
  // A second finding of the same day is recorded; the one cancellation covers both.
  req.set_request_id("plag-2");
  ASSERT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &again).ok());
  EXPECT_NE(again.name(), out.name());
  EXPECT_EQ(Orders(inst), 1);
  EXPECT_EQ(h_->Count("feedback.plagiarism_findings", "institution_credit_code = '" + inst + "'"),
            2);
}

// Issue 28: an auditor reads the findings behind a cancellation back; an institution only its
// own, without the sign-in id of the staff member who recorded it.
TEST_F(FeedbackTest, PlagiarismFindingsReadBackByBureausAndTheirOwnInstitution) {
  const std::string a = Code("MA1A", 411), b = Code("MA1A", 412);
  h_->registry().Register(a);
  h_->registry().Register(b);
  auto record = [&](const std::string& inst, const std::string& day, const std::string& id) {
    h_->SetToday(*core::ParseBusinessDate(day, "day"));
    v1::RecordPlagiarismFindingRequest req;
    req.set_request_id(id);
    auto* f = req.mutable_finding();
    f->set_institution_credit_code(inst);
    if (!day.empty()) *f->mutable_finding_date() = wire::testing::D(day);
    f->set_description("报告雷同");
    f->add_evidence_document_ids("doc-" + id);
    v1::PlagiarismFinding out;
    EXPECT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out).ok());
    return out;
  };
  const auto a25 = record(a, "2025-11-03", "read-1");
  const auto b26 = record(b, "2026-02-10", "read-2");
  const auto a26 = record(a, "2026-03-04", "read-3");

  // The binary's other tests record findings too: look at this test's own institutions, so the
  // test passes alone and beside them.
  auto list = [&](const auth::Principal& who, v1::ListPlagiarismFindingsRequest req,
                  std::vector<std::string>* names) {
    names->clear();
    v1::ListPlagiarismFindingsResponse resp;
    grpc::Status s = h_->stub().ListPlagiarismFindings(Harness::As(who).get(), req, &resp);
    for (const auto& f : resp.findings()) {
      if (f.institution_credit_code() == a || f.institution_credit_code() == b) {
        names->push_back(f.name());
      }
    }
    return std::make_pair(s, resp);
  };
  std::vector<std::string> names;
  v1::ListPlagiarismFindingsRequest all;
  ASSERT_TRUE(list(County(kDivision), all, &names).first.ok());
  EXPECT_EQ(names, (std::vector<std::string>{a25.name(), b26.name(), a26.name()}));
  v1::ListPlagiarismFindingsRequest of_a_2026;
  of_a_2026.set_institution_credit_code(a);
  of_a_2026.set_year(2026);
  auto [s, resp] = list(City(), of_a_2026, &names);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(names, std::vector<std::string>{a26.name()});
  EXPECT_EQ(resp.findings(0).recorded_by(), "city-staff-1");
  // Two pages of one, over a's findings.
  v1::ListPlagiarismFindingsRequest paged;
  paged.set_institution_credit_code(a);
  paged.set_page_size(1);
  auto first = list(City(), paged, &names);
  EXPECT_EQ(names, std::vector<std::string>{a25.name()});
  ASSERT_FALSE(first.second.next_page_token().empty());
  paged.set_page_token(first.second.next_page_token());
  auto second = list(City(), paged, &names);
  EXPECT_EQ(names, std::vector<std::string>{a26.name()});
  EXPECT_TRUE(second.second.next_page_token().empty());

  // The institution: its own only, recorded_by withheld; another's is refused, not filtered.
  ASSERT_TRUE(list(Institution(a), all, &names).first.ok());
  EXPECT_EQ(names, (std::vector<std::string>{a25.name(), a26.name()}));
  v1::ListPlagiarismFindingsRequest of_b;
  of_b.set_institution_credit_code(b);
  EXPECT_EQ(list(Institution(a), of_b, &names).first.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetPlagiarismFindingRequest get;
  get.set_name(a26.name());
  v1::PlagiarismFinding one;
  ASSERT_TRUE(h_->stub().GetPlagiarismFinding(Harness::As(Institution(a)).get(), get, &one).ok());
  EXPECT_EQ(wire::DateText(one.finding_date()), "2026-03-04");
  EXPECT_EQ(one.evidence_document_ids(0), "doc-read-3");
  EXPECT_TRUE(one.recorded_by().empty());
  get.set_name(b26.name());
  EXPECT_EQ(
      h_->stub().GetPlagiarismFinding(Harness::As(Institution(a)).get(), get, &one).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      h_->stub().GetPlagiarismFinding(Harness::As(Enterprise(a)).get(), get, &one).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // Bad input names its field.
  get.set_name("plagiarismFindings/x");
  EXPECT_EQ(FieldsOf(h_->stub().GetPlagiarismFinding(Harness::As(City()).get(), get, &one)),
            std::set<std::string>{"name"});
  get.set_name("plagiarismFindings/999999");
  EXPECT_EQ(h_->stub().GetPlagiarismFinding(Harness::As(City()).get(), get, &one).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListPlagiarismFindingsRequest bad;
  bad.set_institution_credit_code("12345");
  bad.set_year(1999);
  bad.set_page_size(1001);
  EXPECT_EQ(FieldsOf(list(City(), bad, &names).first),
            (std::set<std::string>{"institution_credit_code", "year", "page_size"}));
}

// ---- metrics -------------------------------------------------------------------------------

TEST_F(FeedbackTest, BatchMetricsCountTheYearsRatingsAndVerifiedComplaints) {
  const std::string inst = Code("MA1A", 501), quiet = Code("MA1A", 502);
  h_->SetToday(absl::CivilDay(2026, 1, 5));
  struct R {
    int id;
    absl::CivilDay delivered;
    v1::SatisfactionLevel content, results;
  } ratings[] = {
      {501, absl::CivilDay(2025, 1, 1), v1::VERY_SATISFIED, v1::FAIRLY_SATISFIED},
      {502, absl::CivilDay(2025, 6, 1), v1::FAIRLY_SATISFIED, v1::AVERAGE},
      {503, absl::CivilDay(2025, 12, 31), v1::UNSATISFIED, v1::UNSATISFIED},
      {504, absl::CivilDay(2026, 1, 1), v1::VERY_SATISFIED, v1::VERY_SATISFIED},  // next year
  };
  for (const auto& r : ratings) {
    const std::string owner = Code("MA2E", r.id);
    v1::Rating out;
    ASSERT_TRUE(Rate(Enterprise(owner), Delivered(r.id, owner, inst, r.delivered), r.content,
                     r.results, 0, "m", &out)
                    .ok());
  }
  h_->SetToday(absl::CivilDay(2025, 3, 1));
  v1::Complaint serious = File(Code("MA2E", 511), inst, "m-1");
  v1::Complaint mild = File(Code("MA2E", 512), inst, "m-2");
  v1::Complaint rejected = File(Code("MA2E", 513), inst, "m-3");
  v1::Complaint later = File(Code("MA2E", 514), inst, "m-4");
  h_->SetToday(absl::CivilDay(2026, 2, 1));
  v1::Complaint out;
  ASSERT_TRUE(Verify(serious, v1::VERIFIED_SERIOUS, "2025-12-31", &out).ok());
  ASSERT_TRUE(Verify(mild, v1::VERIFIED_NOT_SERIOUS, "2025-04-01", &out).ok());
  ASSERT_TRUE(Verify(rejected, v1::REJECTED, "2025-04-01", &out).ok());
  ASSERT_TRUE(Verify(later, v1::VERIFIED_SERIOUS, "2026-01-01", &out).ok());

  v1::BatchGetFeedbackMetricsRequest req;
  req.set_year(2025);
  req.add_credit_codes(quiet);
  req.add_credit_codes(inst);
  v1::BatchGetFeedbackMetricsResponse resp;
  ASSERT_TRUE(h_->stub().BatchGetFeedbackMetrics(Harness::As(Service()).get(), req, &resp).ok());
  ASSERT_EQ(resp.metrics_size(), 2);
  EXPECT_EQ(resp.metrics(0).credit_code(), quiet);  // request order, zeros when nothing
  EXPECT_TRUE(resp.metrics(0).has_content());
  EXPECT_EQ(resp.metrics(0).content().very_satisfied(), 0);
  EXPECT_EQ(resp.metrics(0).verified_complaints(), 0);
  const auto& m = resp.metrics(1);
  EXPECT_EQ(m.credit_code(), inst);
  EXPECT_EQ(m.content().very_satisfied(), 1);
  EXPECT_EQ(m.content().fairly_satisfied(), 1);
  EXPECT_EQ(m.content().average(), 0);
  EXPECT_EQ(m.content().unsatisfied(), 1);
  EXPECT_EQ(m.results().very_satisfied(), 0);
  EXPECT_EQ(m.results().fairly_satisfied(), 1);
  EXPECT_EQ(m.results().average(), 1);
  EXPECT_EQ(m.results().unsatisfied(), 1);
  EXPECT_EQ(m.verified_serious_complaints(), 1);
  EXPECT_EQ(m.verified_complaints(), 2);

  req.add_credit_codes(inst);
  grpc::Status s = h_->stub().BatchGetFeedbackMetrics(Harness::As(Service()).get(), req, &resp);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"credit_codes[2]"}));
  req.clear_credit_codes();
  s = h_->stub().BatchGetFeedbackMetrics(Harness::As(Service()).get(), req, &resp);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"credit_codes"}));
  req.add_credit_codes(inst);
  s = h_->stub().BatchGetFeedbackMetrics(Harness::As(Institution(inst)).get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace zhigai::feedback
