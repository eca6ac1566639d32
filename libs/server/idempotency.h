// The key under which a write's first answer is kept (AIP-155): the method, the caller and
// the client's id, bound to a fingerprint of everything else the request says. A repeat of the
// same request gets the first answer; the same id with another body is refused
// (REQUEST_ID_REUSED, db::RunIdempotent), because answering it with the first request's
// resource would tell the caller that something it never asked for was done.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "libs/server/call.h"

namespace google::protobuf {
class Message;
}

namespace zhigai::server {

// `id_field` names the request's id field ("request_id", "command_id"); its value is the id,
// and the fingerprint covers every other field. `scope_by_caller` = false for machine commands
// whose id is unique across callers (an outbox may deliver one command as several replicas).
std::string IdempotencyKey(const Call& call, const google::protobuf::Message& request,
                           absl::string_view id_field = "request_id", bool scope_by_caller = true);

// As above for a request whose id travels apart from the fingerprinted message (a streamed
// upload's header, an id qualified by the resource name).
std::string IdempotencyKey(const Call& call, absl::string_view id,
                           const google::protobuf::Message& body, absl::string_view id_field);

}  // namespace zhigai::server
