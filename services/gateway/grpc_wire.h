// The pieces of gRPC-over-HTTP/2 that the frame proxy reads without decoding any message: the
// 5-byte length prefix of each message, the grpc-timeout header, the percent-encoding of
// grpc-message, and the mapping of a non-200 HTTP status to a gRPC code. Pure functions, so
// each rule of the wire format is unit-tested on its own.
#pragma once

#include <grpcpp/support/status_code_enum.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhigai::gateway::wire {

// "100m" → 100 ms. At most 8 digits and one unit of H, M, S, m, u, n; nullopt otherwise.
std::optional<absl::Duration> ParseTimeout(absl::string_view value);

// grpc-message travels percent-encoded: bytes outside 0x20..0x7E, and '%' itself, as %XX.
std::string PercentEncode(absl::string_view message);

// The gRPC code a client library gives a response whose HTTP status is not 200.
grpc::StatusCode CodeForHttpStatus(int http_status);

// Follows one direction of a call's DATA and finds the length prefix of every message, so a
// message over the limit is refused before the proxy has buffered it.
class MessageSizeWatch {
 public:
  explicit MessageSizeWatch(uint32_t limit) : limit_(limit) {}
  // The declared size of the first message over the limit among `bytes`, or 0.
  uint64_t Feed(absl::string_view bytes);

 private:
  uint32_t limit_;
  uint8_t prefix_[5] = {};
  int prefix_have_ = 0;
  uint64_t body_left_ = 0;
};

}  // namespace zhigai::gateway::wire
