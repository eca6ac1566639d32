// Incremental SHA-256 (OpenSSL EVP), lower-case hex digest.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace zhigai::review {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(absl::string_view data);
  std::string HexDigest();  // finishes the hash

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string Sha256Hex(absl::string_view data);

}  // namespace zhigai::review
