// The one place where absl::Status becomes a gRPC status: code, English message, and the
// google.rpc details (ErrorInfo with the stable reason and rule, BadRequest with field
// violations, LocalizedMessage in Chinese).
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace zhigai::server {

inline constexpr char kErrorDomain[] = "zhigai.wenzhou.gov.cn";

grpc::Status ToGrpcStatus(const absl::Status& status);
// What a caller gets for a request message that does not parse. gRPC's own answer is a bare
// INTERNAL; to the caller it is bad input.
grpc::Status UnparsableRequest();
// The reverse, for a service calling another: keeps code, message and the reason.
absl::Status FromGrpcStatus(const grpc::Status& status);
// "OK", "INVALID_ARGUMENT", ...: the code's canonical name, as logs and metrics label it;
// "UNKNOWN" for a number outside 0..16.
std::string GrpcCodeName(int code);

}  // namespace zhigai::server
