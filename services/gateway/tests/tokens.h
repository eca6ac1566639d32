// Test helpers: throwaway signing keys, JWKS files and tokens, and a throwaway PKI (CA, server
// and client certificates) made at test time with OpenSSL. Nothing here is committed.
#pragma once

#include <string>

#include "libs/auth/dev_signing.h"

namespace zhigai::gateway::testing {

// The signing code lives in libs/auth/dev_signing (shared with zhigai-admin's development
// identity provider); the tests keep using these names.
using ::zhigai::auth::ReadFile;
using ::zhigai::auth::SigningKey;
using ::zhigai::auth::WriteFile;
using ::zhigai::auth::WriteJwks;

// A fresh temporary directory (removed by the OS's tmp cleaning; tests use unique names).
std::string TempDir();

// ca.pem, server.pem/server.key (CN=localhost, SAN localhost and 127.0.0.1), client.pem/
// client.key (subject `client_subject`, e.g. "/CN=policy-platform/O=Wenzhou"), and
// rogue.pem/rogue.key from another CA. Returns false when the openssl CLI fails.
bool MakeTestPki(const std::string& dir, const std::string& client_subject);

}  // namespace zhigai::gateway::testing
