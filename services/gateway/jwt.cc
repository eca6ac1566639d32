#include "services/gateway/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/errors.h"

namespace zhigai::gateway {

struct KeySet::Key {
  std::string kid;
  std::string alg;  // "RS256" or "ES256"
  std::shared_ptr<EVP_PKEY> pkey;
};

namespace {

absl::Status Refuse(absl::string_view reason, absl::string_view english,
                    absl::string_view chinese = "身份令牌无效") {
  return Error(absl::StatusCode::kUnauthenticated, reason, english, chinese);
}

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn BnFrom(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

// Builds a public EVP_PKEY of `type` ("RSA" or "EC") from OpenSSL 3 parameters.
std::shared_ptr<EVP_PKEY> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!pkey) return nullptr;
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

std::shared_ptr<EVP_PKEY> RsaKey(const nlohmann::json& jwk) {
  std::string n, e;
  if (!jwk.contains("n") || !jwk.contains("e") || !jwk["n"].is_string() || !jwk["e"].is_string())
    return nullptr;
  if (!Base64UrlDecode(jwk["n"].get<std::string>(), &n) ||
      !Base64UrlDecode(jwk["e"].get<std::string>(), &e))
    return nullptr;
  Bn bn_n = BnFrom(n), bn_e = BnFrom(e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::shared_ptr<EVP_PKEY> key;
  if (bld && bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    key = FromParams("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  // Short RSA keys are forgeable; the identity provider must use 2048 bits or more.
  if (key && EVP_PKEY_get_bits(key.get()) < 2048) return nullptr;
  return key;
}

std::shared_ptr<EVP_PKEY> EcKey(const nlohmann::json& jwk) {
  if (jwk.value("crv", "") != "P-256") return nullptr;
  std::string x, y;
  if (!jwk.contains("x") || !jwk.contains("y") || !jwk["x"].is_string() || !jwk["y"].is_string())
    return nullptr;
  if (!Base64UrlDecode(jwk["x"].get<std::string>(), &x) ||
      !Base64UrlDecode(jwk["y"].get<std::string>(), &y) || x.size() != 32 || y.size() != 32)
    return nullptr;
  std::string point = absl::StrCat(std::string(1, '\x04'), x, y);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::shared_ptr<EVP_PKEY> key;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    key = FromParams("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

// JWS carries an ECDSA signature as r||s (32 bytes each); OpenSSL verifies DER.
bool EcdsaRawToDer(absl::string_view raw, std::string* der) {
  if (raw.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig, &out);
  ECDSA_SIG_free(sig);
  if (len <= 0) return false;
  der->assign(reinterpret_cast<char*>(out), len);
  OPENSSL_free(out);
  return true;
}

// A NumericDate claim (seconds since the epoch); absent → false.
bool NumericDate(const nlohmann::json& claims, const char* name, absl::Time* out,
                 absl::Status* error) {
  auto it = claims.find(name);
  if (it == claims.end()) return false;
  if (!it->is_number()) {
    *error = Refuse("TOKEN_MALFORMED", absl::StrCat("claim ", name, " is not a number"));
    return false;
  }
  double v = it->get<double>();
  if (!std::isfinite(v)) {
    *error = Refuse("TOKEN_MALFORMED", absl::StrCat("claim ", name, " is not a number"));
    return false;
  }
  // Converting a double beyond int64 is undefined behaviour (found by tests/fuzz/jwt_fuzz.cc
  // with a signed exp of 1e300); no real date is that far away, so such a claim is malformed.
  if (!(v > -9.2e18 && v < 9.2e18)) {
    *error = Refuse("TOKEN_MALFORMED", absl::StrCat("claim ", name, " is out of range"));
    return false;
  }
  *out = absl::FromUnixSeconds(static_cast<int64_t>(v));
  return true;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

bool Base64UrlDecode(absl::string_view text, std::string* bytes) {
  // The JWT form has no padding and no other characters than the URL-safe alphabet.
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return absl::WebSafeBase64Unescape(text, bytes);
}

absl::StatusOr<KeySet> KeySet::FromJwks(absl::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS must be a JSON object with a \"keys\" array");
  }
  KeySet set;
  for (const auto& jwk : doc["keys"]) {
    if (!jwk.is_object()) continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    std::string kty = jwk.value("kty", "");
    auto key = std::make_shared<Key>();
    key->kid = jwk.contains("kid") && jwk["kid"].is_string() ? jwk["kid"].get<std::string>() : "";
    if (kty == "RSA") {
      key->alg = "RS256";
      key->pkey = RsaKey(jwk);
    } else if (kty == "EC") {
      key->alg = "ES256";
      key->pkey = EcKey(jwk);
    }
    if (!key->pkey) continue;
    if (jwk.contains("alg") && jwk["alg"] != key->alg) continue;
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) return absl::InvalidArgumentError("JWKS holds no usable RS256/ES256 key");
  return set;
}

std::vector<const KeySet::Key*> KeySet::Candidates(absl::string_view kid,
                                                   absl::string_view alg) const {
  std::vector<const Key*> out;
  for (const auto& k : keys_) {
    if (k->alg != alg) continue;
    if (!kid.empty() && k->kid != kid) continue;
    out.push_back(k.get());
  }
  return out;
}

bool VerifySignature(const KeySet::Key& key, absl::string_view signed_part,
                     absl::string_view signature) {
  std::string der;
  absl::string_view sig = signature;
  if (key.alg == "ES256") {
    if (!EcdsaRawToDer(signature, &der)) return false;
    sig = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.pkey.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

absl::StatusOr<nlohmann::json> VerifyJwt(absl::string_view token, const KeySet& keys,
                                         const JwtOptions& options, absl::Time now) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Refuse("TOKEN_MALFORMED", "a JWT has three dot-separated parts");
  std::string header_json, claims_json, signature;
  if (!Base64UrlDecode(parts[0], &header_json) || !Base64UrlDecode(parts[1], &claims_json) ||
      !Base64UrlDecode(parts[2], &signature)) {
    return Refuse("TOKEN_MALFORMED", "a JWT part is not base64url");
  }
  nlohmann::json header = nlohmann::json::parse(header_json, nullptr, false);
  nlohmann::json claims = nlohmann::json::parse(claims_json, nullptr, false);
  if (header.is_discarded() || !header.is_object() || claims.is_discarded() ||
      !claims.is_object()) {
    return Refuse("TOKEN_MALFORMED", "the JWT header and claims must be JSON objects");
  }
  if (!header.contains("alg") || !header["alg"].is_string()) {
    return Refuse("TOKEN_MALFORMED", "the JWT header names no algorithm");
  }
  std::string alg = header["alg"].get<std::string>();
  if (alg != "RS256" && alg != "ES256") {
    return Refuse("TOKEN_MALFORMED", absl::StrCat("algorithm ", alg, " is not accepted"));
  }
  std::string kid =
      header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  auto candidates = keys.Candidates(kid, alg);
  if (candidates.empty()) {
    return Refuse("TOKEN_UNKNOWN_KEY", "no key of the identity provider matches the token");
  }
  absl::string_view signed_part(parts[0].data(), parts[0].size() + 1 + parts[1].size());
  bool verified = false;
  for (const auto* key : candidates) {
    if (VerifySignature(*key, signed_part, signature)) {
      verified = true;
      break;
    }
  }
  if (!verified) return Refuse("TOKEN_BAD_SIGNATURE", "the token's signature does not verify");

  absl::Status error;
  absl::Time exp, nbf;
  if (!NumericDate(claims, "exp", &exp, &error)) {
    return error.ok() ? Refuse("TOKEN_MALFORMED", "the token has no exp claim") : error;
  }
  if (now - options.clock_skew >= exp) {
    return Refuse("TOKEN_EXPIRED", "the token has expired", "身份令牌已过期");
  }
  if (NumericDate(claims, "nbf", &nbf, &error) && now + options.clock_skew < nbf) {
    return Refuse("TOKEN_NOT_YET_VALID", "the token is not valid yet", "身份令牌尚未生效");
  }
  if (!error.ok()) return error;
  if (!claims.contains("iss") || claims["iss"] != options.issuer) {
    return Refuse("TOKEN_WRONG_ISSUER", "the token was issued by another issuer");
  }
  bool audience = false;
  if (claims.contains("aud")) {
    const auto& aud = claims["aud"];
    if (aud.is_string()) audience = aud == options.audience;
    if (aud.is_array()) {
      for (const auto& a : aud) audience = audience || a == options.audience;
    }
  }
  if (!audience) return Refuse("TOKEN_WRONG_AUDIENCE", "the token is meant for another audience");
  return claims;
}

}  // namespace zhigai::gateway
