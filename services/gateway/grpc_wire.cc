#include "services/gateway/grpc_wire.h"

#include "absl/strings/ascii.h"

namespace zhigai::gateway::wire {

std::optional<absl::Duration> ParseTimeout(absl::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  switch (value.back()) {
    case 'H':
      return absl::Hours(n);
    case 'M':
      return absl::Minutes(n);
    case 'S':
      return absl::Seconds(n);
    case 'm':
      return absl::Milliseconds(n);
    case 'u':
      return absl::Microseconds(n);
    case 'n':
      return absl::Nanoseconds(n);
    default:
      return std::nullopt;
  }
}

std::string PercentEncode(absl::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (unsigned char c : message) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

grpc::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return grpc::StatusCode::INTERNAL;
    case 401:
      return grpc::StatusCode::UNAUTHENTICATED;
    case 403:
      return grpc::StatusCode::PERMISSION_DENIED;
    case 404:
      return grpc::StatusCode::UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return grpc::StatusCode::UNAVAILABLE;
    default:
      return grpc::StatusCode::UNKNOWN;
  }
}

uint64_t MessageSizeWatch::Feed(absl::string_view bytes) {
  while (!bytes.empty()) {
    if (body_left_ > 0) {
      uint64_t skip = std::min<uint64_t>(body_left_, bytes.size());
      body_left_ -= skip;
      bytes.remove_prefix(skip);
      continue;
    }
    prefix_[prefix_have_++] = static_cast<uint8_t>(bytes.front());
    bytes.remove_prefix(1);
    if (prefix_have_ < 5) continue;
    prefix_have_ = 0;
    uint64_t size = (uint64_t{prefix_[1]} << 24) | (uint64_t{prefix_[2]} << 16) |
                    (uint64_t{prefix_[3]} << 8) | prefix_[4];
    if (size > limit_) return size;
    body_left_ = size;
  }
  return 0;
}

}  // namespace zhigai::gateway::wire
