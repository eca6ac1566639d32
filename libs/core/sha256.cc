#include "libs/core/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace zhigai::core {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "sha256: %s\n", what);
  std::abort();
}

// OpenSSL 3's EVP_sha256() and one-shot SHA256() look the algorithm up in the provider store
// on every call (a read lock and name comparisons): a quarter of the tracking intake's CPU per
// record in its push profile. Fetched once here.
const EVP_MD* Algorithm() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) Die("OpenSSL has no SHA256");
    return fetched;
  }();
  return md;
}

std::string Hex(const unsigned char* digest, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * size, '\0');
  for (unsigned int i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return hex;
}

void Init(EVP_MD_CTX* ctx) {
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, Algorithm(), nullptr) != 1) Die("init failed");
}

void Feed(EVP_MD_CTX* ctx, absl::string_view data) {
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) Die("update failed");
}

std::string Finish(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &size) != 1) Die("final failed");
  return Hex(digest, size);
}

}  // namespace

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) { Init(state_->ctx); }

Sha256::~Sha256() = default;

void Sha256::Update(absl::string_view data) { Feed(state_->ctx, data); }

std::string Sha256::HexDigest() { return Finish(state_->ctx); }

std::string Sha256Hex(absl::string_view data) {
  struct Local {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Local() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Local local;
  Init(local.ctx);
  Feed(local.ctx, data);
  return Finish(local.ctx);
}

}  // namespace zhigai::core
