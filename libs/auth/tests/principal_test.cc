#include "libs/auth/principal.h"

#include <gtest/gtest.h>

namespace zhigai::auth {
namespace {

TEST(Principal, RoundTripsThroughMetadataIncludingOddCharacters) {
  Principal p{Role::kCountyBureau, "张三;role=CITY_BUREAU", "", "330302"};
  auto back = DecodePrincipal(EncodePrincipal(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->role, Role::kCountyBureau);
  EXPECT_EQ(back->subject, p.subject);  // the embedded ";role=" cannot smuggle a second role
  EXPECT_EQ(back->division_code, "330302");
}

TEST(Principal, NoPrincipalHeaderIsPublic) {
  auto p = Authenticate(std::nullopt, std::nullopt, "secret");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, Role::kPublic);
}

TEST(Principal, PrincipalWithoutOrWithWrongProofIsRefused) {
  std::string header = EncodePrincipal({Role::kCityBureau, "u1", "", "330300"});
  EXPECT_EQ(Authenticate(header, std::nullopt, "secret").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticate(header, "secreT", "secret").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticate(header, "", "").status().code(), absl::StatusCode::kUnauthenticated);
  auto ok = Authenticate(header, "secret", "secret");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->role, Role::kCityBureau);
}

TEST(Principal, MalformedOrIncompleteHeadersAreRefused) {
  EXPECT_FALSE(DecodePrincipal("role=NOPE;sub=x").ok());
  EXPECT_FALSE(DecodePrincipal("sub=x").ok());
  EXPECT_FALSE(DecodePrincipal("role=CITY_BUREAU;sub=x;div=330300;extra=1").ok());
  EXPECT_FALSE(DecodePrincipal("role=INSTITUTION;sub=x").ok());    // needs its credit code
  EXPECT_FALSE(DecodePrincipal("role=COUNTY_BUREAU;sub=x").ok());  // needs its division
  EXPECT_FALSE(DecodePrincipal("role=CITY_BUREAU;sub=%G1;div=330300").ok());
  EXPECT_FALSE(DecodePrincipal("role=CITY_BUREAU;sub=ab%4").ok());
}

}  // namespace
}  // namespace zhigai::auth
