// Bearer tokens against the key set in data/jwks.json (public keys; tests/fuzz/make_seeds.cc
// made them and signed the seed tokens, then dropped the private keys). Invariants: no input
// crashes; every refusal is UNAUTHENTICATED with one of the documented reasons; what verifies
// is a canonical compact JWS (three canonical base64url parts, RS256/ES256) whose claims meet
// exp, nbf, iss and aud at that instant. A flipped signature byte never verifies.
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/gateway/jwt.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace gw = zhigai::gateway;

// The instant the seeds were made for (2025-06-15T15:06:40Z): fixed, so seeds never expire.
constexpr int64_t kNow = 1750000000;

const gw::KeySet& Keys() {
  static const gw::KeySet* keys = [] {
    std::ifstream in(ZHIGAI_FUZZ_JWKS);
    std::stringstream text;
    text << in.rdbuf();
    auto set = gw::KeySet::FromJwks(text.str());
    Require(set.ok() && set->size() == 2, "cannot load the fuzz JWKS");
    return new gw::KeySet(std::move(*set));
  }();
  return *keys;
}

gw::JwtOptions Options() {
  gw::JwtOptions o;
  o.issuer = "https://idp.fuzz.zhigai.test";
  o.audience = "zhigai";
  return o;
}

bool Canonical(absl::string_view part) {
  std::string bytes;
  return gw::Base64UrlDecode(part, &bytes) && gw::Base64UrlEncode(bytes) == part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string token(reinterpret_cast<const char*>(data), size);
  const absl::Time now = absl::FromUnixSeconds(kNow);
  auto claims = gw::VerifyJwt(token, Keys(), Options(), now);
  if (!claims.ok()) {
    static const std::set<std::string> kReasons = {
        "TOKEN_MALFORMED",    "TOKEN_BAD_SIGNATURE",  "TOKEN_EXPIRED",    "TOKEN_NOT_YET_VALID",
        "TOKEN_WRONG_ISSUER", "TOKEN_WRONG_AUDIENCE", "TOKEN_UNKNOWN_KEY"};
    Require(claims.status().code() == absl::StatusCode::kUnauthenticated,
            "a refused token is not UNAUTHENTICATED");
    Require(kReasons.count(zhigai::ReasonOf(claims.status())) == 1, "undocumented refusal reason");
  } else {
    std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
    Require(parts.size() == 3, "a verified token has not three parts");
    for (auto p : parts) Require(Canonical(p), "a verified token has a non-canonical part");
    const auto& c = *claims;
    Require(c.contains("exp") && c["exp"].is_number() && c["exp"].get<double>() > kNow - 60,
            "a verified token is expired");
    Require(!c.contains("nbf") || (c["nbf"].is_number() && c["nbf"].get<double>() <= kNow + 60),
            "a verified token is not valid yet");
    Require(c["iss"] == Options().issuer, "a verified token has another issuer");
    // A signature is bound to every byte: flip the last character of the signature.
    std::string forged = token;
    char& last = forged.back();
    last = last == 'A' ? 'Q' : 'A';
    Require(!gw::VerifyJwt(forged, Keys(), Options(), now).ok(), "a forged signature verifies");
  }
  // The same text as a key set: never crashes, and a set it yields holds at least one key.
  if (size > 0 && data[0] == '{') {
    auto set = gw::KeySet::FromJwks(token);
    Require(!set.ok() || set->size() > 0, "an empty key set was accepted");
  }
  return 0;
}
