// What a handler knows about the call in front of it: the verified principal, the request id
// and the method, and the audit actor derived from them.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "libs/db/audit.h"

namespace grpc {
class ServerContext;
}

namespace zhigai::server {

struct Call {
  auth::Principal principal;
  std::string request_id;
  std::string method;
  db::Actor actor() const {
    return {principal.subject, std::string(auth::RoleName(principal.role)), request_id};
  }
};

// Reads the principal (checking the internal proof) and the request id from the metadata.
// `method` is the full gRPC method name (ServerContext does not expose it).
absl::StatusOr<Call> ReadCall(const grpc::ServerContext& context, absl::string_view proof,
                              absl::string_view method);

}  // namespace zhigai::server
