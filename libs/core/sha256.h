// SHA-256 with OpenSSL, the one place for it (issue 23 item 7): document digests (review),
// content hashes of pushed records and the reconciliation checksum (tracking). Lower-case hex.
// An OpenSSL failure here is a broken process, not bad input: it aborts with a message.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace zhigai::core {

// Incremental: Update as the bytes arrive (a streamed upload), then HexDigest once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(absl::string_view data);
  std::string HexDigest();  // finishes the hash; the object is spent

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot, on a per-thread context: the hot path of the tracking intake.
std::string Sha256Hex(absl::string_view data);

}  // namespace zhigai::core
