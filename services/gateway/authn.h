// Authentication: who is calling. A bearer JWT from the government identity provider, a client
// certificate (mTLS) for machine clients, or nobody (PUBLIC). The result is the principal the
// gateway hands to the backends.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "services/gateway/jwt.h"

namespace zhigai::gateway {

// The JWKS file, re-read when its modification time, size or inode changes (checked at most
// once a second), so the identity provider's key rotation needs no restart. A file that does
// not parse keeps the keys already loaded.
class JwksFile {
 public:
  static absl::StatusOr<std::unique_ptr<JwksFile>> Open(std::string path);
  std::shared_ptr<const KeySet> Current();
  // Increases whenever another key set is loaded (token caches key on it).
  uint64_t generation() const { return generation_.load(); }
  // True while the file has changed but does not load (the keys loaded before stay in use).
  bool reload_failing() const { return reload_failing_.load(); }

 private:
  explicit JwksFile(std::string path) : path_(std::move(path)) {}
  absl::Status Reload(bool first);
  std::string path_;
  std::mutex mu_;
  std::shared_ptr<const KeySet> keys_;
  std::string stamp_;  // inode, size and mtime of the loaded file
  absl::Time next_check_ = absl::InfinitePast();
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> reload_failing_{false};
};

// How the identity provider's claims become a principal (a JSON file):
//   {"subject_claim": "sub", "role_claim": "zhigai_role", "credit_code_claim": "uscc",
//    "division_claim": "division", "roles": {"wzjxj-city": "CITY_BUREAU", ...}}
// The role claim may be a string or an array of strings; exactly one of its values must map to
// a role. PUBLIC can never come from a token; a role absent from "roles" is refused.
struct ClaimsMapping {
  std::string subject_claim = "sub";
  std::string role_claim = "role";
  std::string credit_code_claim = "credit_code";
  std::string division_claim = "division";
  std::map<std::string, auth::Role> roles;

  static absl::StatusOr<ClaimsMapping> Parse(absl::string_view json);
  static absl::StatusOr<ClaimsMapping> Load(const std::string& path);
  absl::StatusOr<auth::Principal> Map(const nlohmann::json& claims) const;
};

// Client certificate subject (as gRPC reports it, RFC 2253: "CN=policy-platform,O=...") →
// principal. The file is tab-separated: subject, role, sub, credit code, division.
using CertTable = std::map<std::string, auth::Principal>;
absl::StatusOr<CertTable> ParseCertTable(absl::string_view text);
absl::StatusOr<CertTable> LoadCertTable(const std::string& path);

struct AuthnOptions {
  JwtOptions jwt;
  ClaimsMapping claims;
  CertTable certs;
};

class Authenticator {
 public:
  // `jwks` may be null: then every bearer token is refused.
  Authenticator(std::unique_ptr<JwksFile> jwks, AuthnOptions options);

  // `authorization` is the Authorization header ("" when absent); `cert_subject` the verified
  // client certificate subject ("" when none). A presented credential that fails is never
  // downgraded to PUBLIC: it is UNAUTHENTICATED.
  absl::StatusOr<auth::Principal> Authenticate(absl::string_view authorization,
                                               absl::string_view cert_subject, absl::Time now);
  // As above; `may_check_signature` is asked just before a token's signature would be checked
  // (a token not verified before), and false refuses it as RATE_LIMITED unchecked, so junk
  // tokens cannot buy signature checks beyond the client's allowance (issue 22 item 11).
  absl::StatusOr<auth::Principal> Authenticate(absl::string_view authorization,
                                               absl::string_view cert_subject, absl::Time now,
                                               absl::FunctionRef<bool()> may_check_signature);
  // Null when bearer tokens are refused (no JWKS configured).
  JwksFile* jwks() const { return jwks_.get(); }

 private:
  absl::StatusOr<auth::Principal> FromToken(absl::string_view token, absl::Time now,
                                            absl::FunctionRef<bool()> may_check_signature);

  std::unique_ptr<JwksFile> jwks_;
  AuthnOptions options_;
  // Verified tokens, so a client reusing its token costs one signature check, not one a call.
  struct Cached {
    auth::Principal principal;
    absl::Time valid_until;
    uint64_t generation;
  };
  std::mutex cache_mu_;
  absl::flat_hash_map<std::string, Cached> cache_;
};

}  // namespace zhigai::gateway
