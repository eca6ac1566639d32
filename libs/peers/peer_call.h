// A call from one zhigai service to another: the calling service's SERVICE principal and the
// internal proof on the call, a deadline, and one rule for what the caller's own client is
// told when the peer does not say yes.
//
// Only a peer that could not answer (down, slow, overloaded, a broken connection) becomes
// UNAVAILABLE <PEER>_UNAVAILABLE, which tells the client to retry with the same request id.
// A peer's considered answer (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED,
// FAILED_PRECONDITION, ...) keeps its code and its reason: relabelling it UNAVAILABLE would
// make a well-behaved client retry forever.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace grpc {
class ClientContext;
class Status;
}  // namespace grpc

namespace zhigai::peers {

// Adds the SERVICE principal (subject = the calling service's name), the internal proof and
// the deadline to `ctx`.
void PrepareCall(grpc::ClientContext& ctx, absl::string_view service,
                 absl::string_view internal_proof, absl::Duration timeout);

// The caller's status for a peer's non-OK answer (see above). `peer` ("registry") names the
// reason (REGISTRY_UNAVAILABLE), `rule` is cited when the peer could not answer.
absl::Status FromPeer(const grpc::Status& status, absl::string_view peer, absl::string_view method,
                      absl::string_view rule);

// Whether a peer's answer says it could not answer (the transient codes above).
bool IsTransient(int grpc_code);

}  // namespace zhigai::peers
