#include "libs/auth/dev_signing.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace zhigai::auth {
namespace {

EVP_PKEY* Raw(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }

std::shared_ptr<void> Own(EVP_PKEY* pkey) {
  return std::shared_ptr<void>(pkey, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

// Kept here rather than taken from jwt.h so this library does not pull in the whole gateway.
std::string B64Url(const std::string& in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

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
  k.pkey_ = Own(EVP_RSA_gen(2048));
  return k;
}

SigningKey SigningKey::Ec(std::string kid) {
  SigningKey k;
  k.kid_ = std::move(kid);
  k.alg_ = "ES256";
  k.pkey_ = Own(EVP_EC_gen("P-256"));
  return k;
}

std::optional<SigningKey> SigningKey::FromPem(std::string kid, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) return std::nullopt;
  SigningKey k;
  k.kid_ = std::move(kid);
  k.pkey_ = Own(pkey);
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    k.alg_ = "RS256";
  } else if (EVP_PKEY_is_a(pkey, "EC")) {
    k.alg_ = "ES256";
  } else {
    return std::nullopt;
  }
  return k;
}

std::string SigningKey::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, Raw(pkey_), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

nlohmann::json SigningKey::Jwk() const {
  if (alg_ == "RS256") {
    return {{"kty", "RSA"},
            {"kid", kid_},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", B64Url(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_RSA_N, 0))},
            {"e", B64Url(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_RSA_E, 0))}};
  }
  return {{"kty", "EC"},
          {"kid", kid_},
          {"use", "sig"},
          {"alg", "ES256"},
          {"crv", "P-256"},
          {"x", B64Url(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", B64Url(BnParam(Raw(pkey_), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string SigningKey::Sign(const nlohmann::json& claims,
                             const nlohmann::json& header_extra) const {
  nlohmann::json header = {{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}};
  if (header_extra.is_object()) header.update(header_extra);
  std::string signing_input = B64Url(header.dump()) + "." + B64Url(claims.dump());
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
  return signing_input + "." + B64Url(sig);
}

void WriteJwks(const std::string& path, const std::vector<const SigningKey*>& keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const auto* k : keys) doc["keys"].push_back(k->Jwk());
  // Write and rename, as a key rotation job would: readers never see half a file.
  std::string tmp = path + ".tmp";
  WriteFile(tmp, doc.dump());
  std::rename(tmp.c_str(), path.c_str());
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

}  // namespace zhigai::auth
