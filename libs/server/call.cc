#include "libs/server/call.h"

#include <grpcpp/server_context.h>

namespace zhigai::server {
namespace {
std::optional<absl::string_view> Header(const grpc::ServerContext& context, const char* key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}
}  // namespace

absl::StatusOr<Call> ReadCall(const grpc::ServerContext& context, absl::string_view proof,
                              absl::string_view method) {
  auto principal = auth::Authenticate(Header(context, auth::kPrincipalHeader),
                                      Header(context, auth::kInternalProofHeader), proof);
  if (!principal.ok()) return principal.status();
  Call call;
  call.principal = std::move(*principal);
  // The interceptor guarantees a request id (it generates one when the caller sent none).
  if (auto rid = Header(context, auth::kRequestIdHeader)) call.request_id = std::string(*rid);
  call.method = std::string(method);
  return call;
}

}  // namespace zhigai::server
