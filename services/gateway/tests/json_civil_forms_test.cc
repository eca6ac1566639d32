// The HTTP/JSON forms of typed dates and times of day (AIP-142): "YYYY-MM-DD" and "HH:MM" in
// JSON, google.type.Date and TimeOfDay on the wire, instants in RFC 3339 either way.
#include "services/gateway/json_civil_forms.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libs/core/errors.h"
#include "services/gateway/http_json.h"
#include "zhigai/registry/v1/registry.pb.h"
#include "zhigai/review/v1/review.pb.h"
#include "zhigai/training/v1/training.pb.h"

namespace zhigai::gateway {
namespace {

namespace training = zhigai::training::v1;
namespace review = zhigai::review::v1;

training::CreateEventRequest ParseCreateEvent(const std::string& body) {
  auto wire = RequestWireFromJson(*training::CreateEventRequest::descriptor(), body);
  EXPECT_TRUE(wire.ok()) << wire.status();
  training::CreateEventRequest out;
  if (wire.ok()) {
    EXPECT_TRUE(out.ParseFromString(*wire));
  }
  return out;
}

TEST(JsonCivilForms, DatesAndTimesOfDayAreReadAsText) {
  training::CreateEventRequest req = ParseCreateEvent(
      R"({"event": {"title": "培训", "date": "2027-03-16", "startTime": "09:30",
          "end_time": "24:00"}, "requestId": "r1"})");
  EXPECT_EQ(req.event().date().year(), 2027);
  EXPECT_EQ(req.event().date().month(), 3);
  EXPECT_EQ(req.event().date().day(), 16);
  EXPECT_EQ(req.event().start_time().hours(), 9);
  EXPECT_EQ(req.event().start_time().minutes(), 30);
  // The proto field name is read as well as the JSON name; 24:00 is the end of the day.
  EXPECT_EQ(req.event().end_time().hours(), 24);
  EXPECT_EQ(req.event().title(), "培训");
  EXPECT_EQ(req.request_id(), "r1");
}

TEST(JsonCivilForms, TheObjectFormOfProto3JsonIsStillAccepted) {
  training::CreateEventRequest req =
      ParseCreateEvent(R"({"event": {"date": {"year": 2027, "month": 3, "day": 16}}})");
  EXPECT_EQ(req.event().date().day(), 16);
}

TEST(JsonCivilForms, AnImpossibleDayIsLeftForTheServiceToRefuse) {
  training::CreateEventRequest req = ParseCreateEvent(R"({"event": {"date": "2026-02-30"}})");
  EXPECT_EQ(req.event().date().month(), 2);
  EXPECT_EQ(req.event().date().day(), 30);
}

TEST(JsonCivilForms, TextNotShapedAsADateIsRefusedNamingItsPath) {
  for (const char* body :
       {R"({"event": {"date": "2027/03/16"}})", R"({"event": {"date": "16 March 2027"}})"}) {
    auto wire = RequestWireFromJson(*training::CreateEventRequest::descriptor(), body);
    ASSERT_FALSE(wire.ok()) << body;
    EXPECT_EQ(wire.status().code(), absl::StatusCode::kInvalidArgument);
    auto violations = ViolationsOf(wire.status());
    ASSERT_EQ(violations.size(), 1u) << wire.status();
    EXPECT_EQ(violations[0].field, "event.date");
    EXPECT_EQ(violations[0].rule, "FORMAT");
  }
  auto bad_time = RequestWireFromJson(*training::CreateEventRequest::descriptor(),
                                      R"({"event": {"startTime": "9:30"}})");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(ViolationsOf(bad_time.status()).at(0).field, "event.startTime");
}

TEST(JsonCivilForms, RepeatedMessagesAreWalked) {
  auto wire = RequestWireFromJson(
      *review::CreateApplicationRequest::descriptor(),
      R"({"application": {"staff": [{"name": "甲"}, {"workStartDate": "2012-07-01"}]}})");
  ASSERT_TRUE(wire.ok()) << wire.status();
  review::CreateApplicationRequest req;
  ASSERT_TRUE(req.ParseFromString(*wire));
  ASSERT_EQ(req.application().staff_size(), 2);
  EXPECT_FALSE(req.application().staff(0).has_work_start_date());
  EXPECT_EQ(req.application().staff(1).work_start_date().year(), 2012);
  auto bad = RequestWireFromJson(*review::CreateApplicationRequest::descriptor(),
                                 R"({"application": {"staff": [{}, {"workStartDate": "x"}]}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ViolationsOf(bad.status()).at(0).field, "application.staff[1].workStartDate");
}

TEST(JsonCivilForms, AnswersWriteDatesAndTimesAsTextAndInstantsInRfc3339) {
  training::Event e;
  e.set_name("events/7");
  e.mutable_date()->set_year(2027);
  e.mutable_date()->set_month(3);
  e.mutable_date()->set_day(6);
  e.mutable_start_time()->set_hours(9);
  e.mutable_end_time()->set_hours(24);
  e.mutable_create_time()->set_seconds(1796083200);  // 2026-12-01T00:00:00Z
  auto json = ResponseJsonFromWire(*training::Event::descriptor(), e.SerializeAsString());
  ASSERT_TRUE(json.has_value());
  nlohmann::json tree = nlohmann::json::parse(*json);
  EXPECT_EQ(tree["date"], "2027-03-06");
  EXPECT_EQ(tree["startTime"], "09:00");
  EXPECT_EQ(tree["endTime"], "24:00");
  EXPECT_EQ(tree["createTime"], "2026-12-01T00:00:00Z");
  // An unset date is left out, as proto3 JSON leaves out every unset message.
  EXPECT_FALSE(tree.contains("filedOn"));
}

TEST(JsonCivilForms, OnlyTypesThatHoldDatesAreRewritten) {
  EXPECT_TRUE(HasCivilFields(*training::CreateEventRequest::descriptor()));
  EXPECT_TRUE(HasCivilFields(*registry::v1::ListSanctionsResponse::descriptor()));
  EXPECT_FALSE(HasCivilFields(*registry::v1::GetInstitutionRequest::descriptor()));
}

}  // namespace
}  // namespace zhigai::gateway
