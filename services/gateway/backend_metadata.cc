#include "services/gateway/backend_metadata.h"

#include <grpcpp/client_context.h>

#include "absl/strings/match.h"
#include "libs/auth/principal.h"

namespace zhigai::gateway {

bool IsTransportKey(absl::string_view key) {
  return absl::StartsWith(key, ":") || absl::StartsWith(key, "grpc-") || key == "te" ||
         key == "content-type" || key == "content-length";
}

bool IsStrippedRequestKey(absl::string_view key) {
  return IsTransportKey(key) || key == "authorization" || key == auth::kPrincipalHeader ||
         key == auth::kInternalProofHeader || key == auth::kRequestIdHeader ||
         key == "user-agent" || key == "host";
}

std::string UsableRequestId(absl::string_view sent) {
  if (sent.empty() || sent.size() > 128) return "";
  for (char c : sent) {
    if (c <= 0x20 || c >= 0x7f) return "";
  }
  return std::string(sent);
}

void SetBackendMetadata(grpc::ClientContext& context, const auth::Principal& principal,
                        const std::string& proof, const std::string& request_id) {
  context.AddMetadata(auth::kPrincipalHeader, auth::EncodePrincipal(principal));
  context.AddMetadata(auth::kInternalProofHeader, proof);
  context.AddMetadata(auth::kRequestIdHeader, request_id);
}

}  // namespace zhigai::gateway
