// Bearer token verification: good tokens of both algorithms, and every way a token can be bad.
#include "services/gateway/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <map>

#include "absl/time/clock.h"
#include "libs/core/errors.h"
#include "services/gateway/authn.h"
#include "services/gateway/identity_metrics.h"
#include "services/gateway/tests/tokens.h"

namespace zhigai::gateway {
namespace {

using testing::SigningKey;

constexpr char kIssuer[] = "https://id.test";
constexpr char kAudience[] = "zhigai";

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new SigningKey(SigningKey::Rsa("rsa-1"));
    ec_ = new SigningKey(SigningKey::Ec("ec-1"));
    other_ = new SigningKey(SigningKey::Rsa("rsa-1"));  // same kid, another key
  }
  KeySet Keys() {
    nlohmann::json doc = {{"keys", {rsa_->Jwk(), ec_->Jwk()}}};
    return *KeySet::FromJwks(doc.dump());
  }
  nlohmann::json Claims() {
    int64_t now = absl::ToUnixSeconds(absl::Now());
    return {{"iss", kIssuer},           {"aud", kAudience}, {"sub", "u-1"},
            {"exp", now + 300},         {"nbf", now - 10},  {"zhigai_role", "CITY_BUREAU"},
            {"division_code", "330300"}};
  }
  absl::StatusOr<nlohmann::json> Verify(const std::string& token) {
    JwtOptions options{kIssuer, kAudience, absl::Seconds(60)};
    return VerifyJwt(token, Keys(), options, absl::Now());
  }
  static void ExpectRefused(const absl::StatusOr<nlohmann::json>& r, const std::string& reason) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(ReasonOf(r.status()), reason) << r.status();
  }
  static SigningKey* rsa_;
  static SigningKey* ec_;
  static SigningKey* other_;
};
SigningKey* JwtTest::rsa_;
SigningKey* JwtTest::ec_;
SigningKey* JwtTest::other_;

TEST_F(JwtTest, AcceptsRs256AndEs256) {
  auto r = Verify(rsa_->Sign(Claims()));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["sub"], "u-1");
  auto e = Verify(ec_->Sign(Claims()));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)["zhigai_role"], "CITY_BUREAU");
}

TEST_F(JwtTest, AcceptsAudienceArrayContainingOurs) {
  auto c = Claims();
  c["aud"] = {"other", kAudience};
  EXPECT_TRUE(Verify(rsa_->Sign(c)).ok());
}

TEST_F(JwtTest, KeyWithoutKidIsFoundByAlgorithm) {
  auto token = ec_->Sign(Claims(), {{"kid", ""}});
  EXPECT_TRUE(Verify(token).ok());
}

TEST_F(JwtTest, ExpiredBeyondSkewIsRefused) {
  auto c = Claims();
  c["exp"] = absl::ToUnixSeconds(absl::Now()) - 61;
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_EXPIRED");
}

TEST_F(JwtTest, ExpiredWithinSkewIsAccepted) {
  auto c = Claims();
  c["exp"] = absl::ToUnixSeconds(absl::Now()) - 30;
  EXPECT_TRUE(Verify(rsa_->Sign(c)).ok());
}

TEST_F(JwtTest, MissingExpIsRefused) {
  auto c = Claims();
  c.erase("exp");
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_MALFORMED");
}

TEST_F(JwtTest, NotYetValidBeyondSkewIsRefused) {
  auto c = Claims();
  c["nbf"] = absl::ToUnixSeconds(absl::Now()) + 120;
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_NOT_YET_VALID");
  c["nbf"] = absl::ToUnixSeconds(absl::Now()) + 30;  // within the skew
  EXPECT_TRUE(Verify(rsa_->Sign(c)).ok());
}

TEST_F(JwtTest, WrongAudienceIsRefused) {
  auto c = Claims();
  c["aud"] = "another-system";
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_WRONG_AUDIENCE");
  c.erase("aud");
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_WRONG_AUDIENCE");
}

TEST_F(JwtTest, WrongIssuerIsRefused) {
  auto c = Claims();
  c["iss"] = "https://evil.test";
  ExpectRefused(Verify(rsa_->Sign(c)), "TOKEN_WRONG_ISSUER");
}

TEST_F(JwtTest, WrongKeyIsRefused) {
  ExpectRefused(Verify(other_->Sign(Claims())), "TOKEN_BAD_SIGNATURE");
  SigningKey stranger = SigningKey::Ec("unknown-kid");
  ExpectRefused(Verify(stranger.Sign(Claims())), "TOKEN_UNKNOWN_KEY");
}

TEST_F(JwtTest, TamperedClaimsAreRefused) {
  std::string token = rsa_->Sign(Claims());
  auto c = Claims();
  c["zhigai_role"] = "SERVICE";
  std::string forged_payload = Base64UrlEncode(c.dump());
  size_t a = token.find('.'), b = token.rfind('.');
  std::string forged = token.substr(0, a + 1) + forged_payload + token.substr(b);
  ExpectRefused(Verify(forged), "TOKEN_BAD_SIGNATURE");
}

TEST_F(JwtTest, MalformedTokensAreRefused) {
  for (const std::string& t : {std::string(""), std::string("abc"), std::string("a.b"),
                               std::string("a.b.c.d"), std::string("!!.??.**"),
                               Base64UrlEncode("not json") + "." + Base64UrlEncode("{}") + ".x"}) {
    ExpectRefused(Verify(t), "TOKEN_MALFORMED");
  }
}

TEST_F(JwtTest, AlgorithmNoneAndHmacAreRefused) {
  std::string body = Base64UrlEncode(Claims().dump());
  std::string none = Base64UrlEncode(R"({"alg":"none"})") + "." + body + ".";
  ExpectRefused(Verify(none), "TOKEN_MALFORMED");
  std::string hs = Base64UrlEncode(R"({"alg":"HS256","kid":"rsa-1"})") + "." + body + ".c2ln";
  ExpectRefused(Verify(hs), "TOKEN_MALFORMED");
  // An ES256 header on an RSA-signed token: the alg picks the key, and the check fails.
  std::string mixed = rsa_->Sign(Claims(), {{"alg", "ES256"}, {"kid", "ec-1"}});
  ExpectRefused(Verify(mixed), "TOKEN_BAD_SIGNATURE");
}

TEST(KeySetTest, RejectsDocumentsWithoutUsableKeys) {
  EXPECT_FALSE(KeySet::FromJwks("not json").ok());
  EXPECT_FALSE(KeySet::FromJwks(R"({"keys": []})").ok());
  EXPECT_FALSE(KeySet::FromJwks(R"({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})").ok());
  // A 512-bit RSA key is too short to trust.
  EXPECT_FALSE(
      KeySet::FromJwks(
          R"({"keys": [{"kty": "RSA", "n": "wf-wiusGhA-gleZYQAOPQlNUIucPiqXdPVyieDqQbXXOPBe3nuggtVzeq7pVFH1dZz4dY2Q2LA5DaegvP8kRvQ", "e": "AQAB"}]})")
          .ok());
}

TEST(ClaimsMappingTest, MapsClaimsToPrincipal) {
  auto m = ClaimsMapping::Load(ZHIGAI_GATEWAY_CLAIMS);
  ASSERT_TRUE(m.ok()) << m.status();
  auto p = m->Map({{"sub", "u-9"}, {"zhigai_role", "INSTITUTION"}, {"uscc", "91330302123456788P"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->role, auth::Role::kInstitution);
  EXPECT_EQ(p->subject, "u-9");
  EXPECT_EQ(p->credit_code, "91330302123456788P");
  auto county =
      m->Map({{"sub", "c"}, {"zhigai_role", {"x", "COUNTY_BUREAU"}}, {"division_code", "330302"}});
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->division_code, "330302");
}

TEST(ClaimsMappingTest, RefusesIncompleteUnknownOrAmbiguousRoles) {
  auto m = *ClaimsMapping::Load(ZHIGAI_GATEWAY_CLAIMS);
  // An institution without its credit code, a bureau without its division.
  EXPECT_EQ(ReasonOf(m.Map({{"sub", "u"}, {"zhigai_role", "INSTITUTION"}}).status()),
            "TOKEN_INCOMPLETE");
  EXPECT_EQ(ReasonOf(m.Map({{"sub", "u"}, {"zhigai_role", "COUNTY_BUREAU"}}).status()),
            "TOKEN_INCOMPLETE");
  EXPECT_EQ(ReasonOf(m.Map({{"zhigai_role", "EXPERT"}}).status()), "TOKEN_INCOMPLETE");
  // SERVICE is not in the production mapping: a token cannot claim to be a zhigai service.
  EXPECT_EQ(ReasonOf(m.Map({{"sub", "u"}, {"zhigai_role", "SERVICE"}}).status()), "TOKEN_NO_ROLE");
  EXPECT_EQ(ReasonOf(m.Map({{"sub", "u"}, {"zhigai_role", "PUBLIC"}}).status()), "TOKEN_NO_ROLE");
  EXPECT_EQ(ReasonOf(m.Map({{"sub", "u"},
                            {"zhigai_role", {"EXPERT", "ENTERPRISE"}},
                            {"uscc", "91330302123456788P"}})
                         .status()),
            "TOKEN_AMBIGUOUS_ROLE");
  EXPECT_FALSE(ClaimsMapping::Parse(R"({"roles": {"x": "PUBLIC"}})").ok());
  EXPECT_FALSE(ClaimsMapping::Parse(R"({"roles": {"x": "NOBODY"}})").ok());
}

TEST(CertTableTest, ParsesSubjectsAndRejectsBadLines) {
  auto t = ParseCertTable(
      "# subject\trole\tsub\tcode\tdiv\n"
      "CN=policy-platform,O=Wenzhou\tPOLICY_PLATFORM\tpolicy-platform\n"
      "CN=county\tCOUNTY_BUREAU\tcounty-sys\t\t330302\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->at("CN=policy-platform,O=Wenzhou").role, auth::Role::kPolicyPlatform);
  EXPECT_EQ(t->at("CN=county").division_code, "330302");
  EXPECT_FALSE(ParseCertTable("CN=x\tPUBLIC\tx\n").ok());
  EXPECT_TRUE(ParseCertTable("CN=x\tEXPERT\tx\n").ok());
  EXPECT_FALSE(ParseCertTable("CN=x\tCOUNTY_BUREAU\tx\n").ok());  // no division
  EXPECT_FALSE(ParseCertTable("CN=x\tEXPERT\tx\nCN=x\tEXPERT\ty\n").ok());
}

TEST(JwksFileTest, ReloadsWhenTheFileChangesAndKeepsKeysOnBadFile) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/jwks.json";
  SigningKey a = SigningKey::Ec("a"), b = SigningKey::Ec("b");
  testing::WriteJwks(path, {&a});
  auto file = JwksFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->Current()->Candidates("a", "ES256").size(), 1u);
  EXPECT_TRUE((*file)->Current()->Candidates("b", "ES256").empty());
  testing::WriteJwks(path, {&a, &b});
  absl::SleepFor(absl::Milliseconds(1100));  // checks happen at most once a second
  EXPECT_EQ((*file)->Current()->Candidates("b", "ES256").size(), 1u);
  uint64_t gen = (*file)->generation();
  // The gauges on-call reads (alerts ZhigaiJwksEmpty / ZhigaiJwksReloadFailing): two keys, no
  // failure yet.
  auto gauges = [&] {
    std::map<std::string, double> out;
    for (const auto& family : IdentityMetrics(file->get(), {})->Collect()) {
      out[family.name] = family.metric.at(0).gauge.value;
    }
    return out;
  };
  EXPECT_EQ(gauges()["zhigai_gateway_jwks_keys"], 2);
  EXPECT_EQ(gauges()["zhigai_gateway_jwks_reload_failing"], 0);
  testing::WriteFile(path, "{broken");
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_EQ((*file)->Current()->Candidates("b", "ES256").size(), 1u);
  EXPECT_EQ((*file)->generation(), gen);
  EXPECT_EQ(gauges()["zhigai_gateway_jwks_keys"], 2) << "the keys loaded before stay in use";
  EXPECT_EQ(gauges()["zhigai_gateway_jwks_reload_failing"], 1);
}

// Issue 22 item 10: SERVICE opens writes (ImposeSanction, AdmitToDirectory) and belongs to
// zhigai's own services calling each other directly; no token or certificate may map to it, and
// the refusal, which stops the gateway's start, says why.
TEST(ClaimsMappingTest, NoOutsideCallerCanBecomeTheInternalServiceRole) {
  auto mapping = ClaimsMapping::Parse(R"({"roles": {"ops": "SERVICE", "b": "CITY_BUREAU"}})");
  ASSERT_FALSE(mapping.ok());
  EXPECT_THAT(mapping.status().message(),
              ::testing::HasSubstr("roles.ops: SERVICE is zhigai's internal role"));
  auto table = ParseCertTable("CN=ok\tEXPERT\tok\nCN=svc\tSERVICE\tregistry\n");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(),
              ::testing::HasSubstr("certificate table line 2: SERVICE is zhigai's internal role"));
}

}  // namespace
}  // namespace zhigai::gateway
