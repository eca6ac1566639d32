#include "services/gateway/tests/tokens.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/gateway/jwt.h"

namespace zhigai::gateway::testing {
namespace {

EVP_PKEY* Raw(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }

std::string BnParam(EVP_PKEY* pkey, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(pkey, name, &bn);
  std::string out(pad ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

}  // namespace

SigningKey SigningKey::Rsa(std::string kid) {
  SigningKey k;
  k.kid_ = std::move(kid);
  k.alg_ = "RS256";
  k.pkey_ = std::shared_ptr<void>(EVP_RSA_gen(2048),
                                  [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
  return k;
}

SigningKey SigningKey::Ec(std::string kid) {
  SigningKey k;
  k.kid_ = std::move(kid);
  k.alg_ = "ES256";
  k.pkey_ = std::shared_ptr<void>(EVP_EC_gen("P-256"),
                                  [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
  return k;
}

nlohmann::json SigningKey::Jwk() const {
  if (alg_ == "RS256") {
    return {{"kty", "RSA"},
            {"kid", kid_},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", Base64UrlEncode(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_RSA_N, 0))},
            {"e", Base64UrlEncode(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_RSA_E, 0))}};
  }
  return {{"kty", "EC"},
          {"kid", kid_},
          {"use", "sig"},
          {"alg", "ES256"},
          {"crv", "P-256"},
          {"x", Base64UrlEncode(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", Base64UrlEncode(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string SigningKey::Sign(const nlohmann::json& claims,
                             const nlohmann::json& header_extra) const {
  nlohmann::json header = {{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}};
  if (header_extra.is_object()) header.update(header_extra);
  std::string signing_input =
      absl::StrCat(Base64UrlEncode(header.dump()), ".", Base64UrlEncode(claims.dump()));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, Raw(pkey_));
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg_ == "ES256") {
    // DER → r||s as JWS wants it.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return absl::StrCat(signing_input, ".", Base64UrlEncode(sig));
}

void WriteJwks(const std::string& path, const std::vector<const SigningKey*>& keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const auto* k : keys) doc["keys"].push_back(k->Jwk());
  // Write and rename, as a key rotation job would: readers never see half a file.
  std::string tmp = path + ".tmp";
  WriteFile(tmp, doc.dump());
  std::rename(tmp.c_str(), path.c_str());
}

std::string TempDir() {
  std::string pattern = "/tmp/zhigai-gateway-test-XXXXXX";
  char* dir = mkdtemp(pattern.data());
  return dir ? std::string(dir) : std::string("/tmp");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool MakeTestPki(const std::string& dir, const std::string& client_subject) {
  std::string script = absl::StrCat(
      "set -e; cd '", dir, "'\n",
      "gen() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1.key "
      "-out $1.csr -subj \"$2\" 2>/dev/null; }\n",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
      "-out ca.pem -subj '/CN=zhigai test CA' -days 1 2>/dev/null\n",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogueca.key "
      "-out rogueca.pem -subj '/CN=rogue CA' -days 1 2>/dev/null\n",
      "gen server '/CN=localhost'\n",
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext\n",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-extfile san.ext -out server.pem 2>/dev/null\n",
      "gen client '", client_subject, "'\n",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-out client.pem 2>/dev/null\n",
      "gen rogue '", client_subject, "'\n",
      "openssl x509 -req -in rogue.csr -CA rogueca.pem -CAkey rogueca.key -CAcreateserial "
      "-days 1 -out rogue.pem 2>/dev/null\n");
  std::string path = dir + "/pki.sh";
  WriteFile(path, script);
  return std::system(absl::StrCat("bash '", path, "'").c_str()) == 0;
}

}  // namespace zhigai::gateway::testing
