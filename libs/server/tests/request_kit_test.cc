// The request kit every service's handlers share: one rule per check, whichever service asks.
#include "libs/server/request_kit.h"

#include <gtest/gtest.h>

#include "libs/core/errors.h"
#include "libs/db/paging.h"

namespace zhigai::server {
namespace {

TEST(RequestKit, IdFromNameTakesOnlyAPositiveIdInTheNamedCollection) {
  EXPECT_EQ(*IdFromName("events/12", "events", "name"), 12);
  for (const char* bad : {"events/0", "events/-3", "events/x", "events/", "event/12", "eventsX/12",
                          "testSessions/12", "events/12/extra", ""}) {
    auto id = IdFromName(bad, "events", "event");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(RuleOf(id.status()), "AIP-122") << bad;
    ASSERT_EQ(ViolationsOf(id.status()).size(), 1u);
    EXPECT_EQ(ViolationsOf(id.status())[0].field, "event");
  }
  EXPECT_EQ(IdOf("institutions/91330302MA01070159"), "91330302MA01070159");
}

TEST(RequestKit, PageTokensCarryAnIdOfZeroOrMoreAndNothingElse) {
  EXPECT_EQ(*AfterId(""), 0);
  EXPECT_EQ(*AfterId(db::EncodePageToken("0")), 0);
  EXPECT_EQ(*AfterId(db::EncodePageToken("41")), 41);
  // Review refused negative ids and the other services did not; now none does (issue 23).
  for (const std::string& bad :
       {db::EncodePageToken("-1"), db::EncodePageToken("x"), std::string("not a token")}) {
    auto after = AfterId(bad);
    ASSERT_FALSE(after.ok()) << bad;
    EXPECT_EQ(after.status().code(), absl::StatusCode::kInvalidArgument);
    ASSERT_FALSE(ViolationsOf(after.status()).empty());
    EXPECT_EQ(ViolationsOf(after.status())[0].field, "page_token");
  }
}

TEST(RequestKit, YearsVersionsAndRequestIdsAtTheirBounds) {
  EXPECT_FALSE(CheckYear(1999, "year").ok());
  EXPECT_TRUE(CheckYear(2000, "year").ok());
  EXPECT_TRUE(CheckYear(2100, "year").ok());
  EXPECT_FALSE(CheckYear(2101, "year").ok());
  EXPECT_FALSE(CheckYear(2000, "year", 2001).ok());
  EXPECT_FALSE(CheckVersion(0).ok());
  EXPECT_TRUE(CheckVersion(1).ok());
  EXPECT_EQ(RuleOf(CheckVersion(-1)), "AIP-154");
  EXPECT_FALSE(CheckRequestId("").ok());
  EXPECT_TRUE(CheckRequestId(std::string(64, 'a')).ok());
  EXPECT_FALSE(CheckRequestId(std::string(65, 'a')).ok());
  EXPECT_EQ(ViolationsOf(CheckRequestId("", "batch_id"))[0].field, "batch_id");
}

TEST(RequestKit, MethodNamesAndChanges) {
  EXPECT_EQ(MethodName("zhigai.registry.v1.RegistryService", "GetInstitution"),
            "/zhigai.registry.v1.RegistryService/GetInstitution");
  Call call;
  call.principal = auth::Principal{auth::Role::kCityBureau, "city-1", "", ""};
  call.request_id = "r-1";
  call.method = "/zhigai.registry.v1.RegistryService/CreateInstitution";
  db::Change change = ChangeOf(call);
  EXPECT_EQ(change.method, call.method);
  EXPECT_EQ(change.actor.subject, "city-1");
  EXPECT_EQ(change.actor.request_id, "r-1");
}

}  // namespace
}  // namespace zhigai::server
