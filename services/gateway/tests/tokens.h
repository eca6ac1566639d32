// Test helpers: throwaway signing keys, JWKS files and tokens, and a throwaway PKI (CA, server
// and client certificates) made at test time with OpenSSL. Nothing here is committed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zhigai::gateway::testing {

class SigningKey {
 public:
  static SigningKey Rsa(std::string kid);  // RS256, 2048 bits
  static SigningKey Ec(std::string kid);   // ES256, P-256
  nlohmann::json Jwk() const;
  // header {"alg", "kid", "typ"} plus `header_extra`, signed with this key.
  std::string Sign(const nlohmann::json& claims, const nlohmann::json& header_extra = {}) const;
  const std::string& kid() const { return kid_; }

 private:
  std::string kid_, alg_;
  std::shared_ptr<void> pkey_;  // EVP_PKEY
};

void WriteJwks(const std::string& path, const std::vector<const SigningKey*>& keys);

// A fresh temporary directory (removed by the OS's tmp cleaning; tests use unique names).
std::string TempDir();
void WriteFile(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);

// ca.pem, server.pem/server.key (CN=localhost, SAN localhost and 127.0.0.1), client.pem/
// client.key (subject `client_subject`, e.g. "/CN=policy-platform/O=Wenzhou"), and
// rogue.pem/rogue.key from another CA. Returns false when the openssl CLI fails.
bool MakeTestPki(const std::string& dir, const std::string& client_subject);

}  // namespace zhigai::gateway::testing
