// What a backend receives besides the message: the client's metadata less credentials and
// anything claiming an identity, plus the verified principal, the internal proof and the
// request id. Shared by the frame proxy (HTTP/2 headers) and HTTP/JSON (a gRPC ClientContext).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace grpc {
class ClientContext;
}
namespace zhigai::auth {
struct Principal;
}

namespace zhigai::gateway {

// Keys the transport owns (pseudo-headers, grpc-*, te, content-type, content-length).
bool IsTransportKey(absl::string_view key);
// Keys never forwarded from a client: the transport's, credentials, identity claims.
bool IsStrippedRequestKey(absl::string_view key);
// The request id a client sent when it is usable (printable, at most 128 bytes), else "".
std::string UsableRequestId(absl::string_view sent);

void SetBackendMetadata(grpc::ClientContext& context, const auth::Principal& principal,
                        const std::string& proof, const std::string& request_id);

}  // namespace zhigai::gateway
