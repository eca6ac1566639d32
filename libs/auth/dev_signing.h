// Signing keys and JWKS files for a development identity provider and for the gateway's tests:
// zhigai-admin's dev-idp-init/token and services/gateway/tests share this code, so the tokens
// a developer uses are made exactly as the tests make them. Not for production keys.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zhigai::auth {

class SigningKey {
 public:
  static SigningKey Rsa(std::string kid);  // RS256, 2048 bits
  static SigningKey Ec(std::string kid);   // ES256, P-256
  // Loads a PEM private key (RSA → RS256, EC → ES256); nullopt when unreadable.
  static std::optional<SigningKey> FromPem(std::string kid, const std::string& pem);
  std::string PrivatePem() const;
  nlohmann::json Jwk() const;
  // header {"alg", "kid", "typ"} plus `header_extra`, signed with this key.
  std::string Sign(const nlohmann::json& claims, const nlohmann::json& header_extra = {}) const;
  const std::string& kid() const { return kid_; }

 private:
  std::string kid_, alg_;
  std::shared_ptr<void> pkey_;  // EVP_PKEY
};

// {"keys": [...]} written to `path` atomically (write then rename).
void WriteJwks(const std::string& path, const std::vector<const SigningKey*>& keys);

void WriteFile(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);

}  // namespace zhigai::auth
