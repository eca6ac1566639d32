#include "libs/core/io_policy.h"

#include "absl/strings/cord.h"

namespace zhigai::core {
namespace {
constexpr char kNeedsIoPayload[] = "zhigai.internal/needs-io";
}

absl::Status NeedsIo() {
  absl::Status s(absl::StatusCode::kUnavailable, "the answer needs I/O");
  s.SetPayload(kNeedsIoPayload, absl::Cord());
  return s;
}

bool IsNeedsIo(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         status.GetPayload(kNeedsIoPayload).has_value();
}

}  // namespace zhigai::core
