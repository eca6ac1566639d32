// Bearer tokens: a JWKS key set and the verification of one compact JWT (RS256 or ES256) with
// OpenSSL. No other algorithm is accepted: "none" and the HMAC family would let anyone who
// knows a public key mint tokens.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhigai::gateway {

// The public keys of the identity provider, parsed from a JWKS document.
class KeySet {
 public:
  struct Key;  // an OpenSSL EVP_PKEY with its kid and algorithm
  // Keys of kty RSA (RS256, at least 2048 bits) and EC (ES256 on P-256). Keys with another
  // "use" than "sig", or of another type, are skipped; a set with no usable key is an error.
  static absl::StatusOr<KeySet> FromJwks(absl::string_view json);
  size_t size() const { return keys_.size(); }
  // Keys that may have signed a token with this header (kid when given, else all of the alg).
  std::vector<const Key*> Candidates(absl::string_view kid, absl::string_view alg) const;

 private:
  std::vector<std::shared_ptr<const Key>> keys_;
};

bool VerifySignature(const KeySet::Key& key, absl::string_view signed_part,
                     absl::string_view signature);

struct JwtOptions {
  std::string issuer;    // iss must equal this
  std::string audience;  // aud (a string or an array) must contain this
  absl::Duration clock_skew = absl::Seconds(60);
};

// Checks the signature, exp (required), nbf, iss and aud; returns the claims. Every refusal is
// UNAUTHENTICATED with a stable reason (TOKEN_MALFORMED, TOKEN_BAD_SIGNATURE, TOKEN_EXPIRED,
// TOKEN_NOT_YET_VALID, TOKEN_WRONG_ISSUER, TOKEN_WRONG_AUDIENCE, TOKEN_UNKNOWN_KEY).
absl::StatusOr<nlohmann::json> VerifyJwt(absl::string_view token, const KeySet& keys,
                                         const JwtOptions& options, absl::Time now);

// base64url without padding (the JWT alphabet), both ways.
std::string Base64UrlEncode(absl::string_view bytes);
bool Base64UrlDecode(absl::string_view text, std::string* bytes);

}  // namespace zhigai::gateway
