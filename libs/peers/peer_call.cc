#include "libs/peers/peer_call.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/auth/principal.h"
#include "libs/core/errors.h"

namespace zhigai::peers {

void PrepareCall(grpc::ClientContext& ctx, absl::string_view service,
                 absl::string_view internal_proof, absl::Duration timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  ctx.AddMetadata(auth::kPrincipalHeader,
                  auth::EncodePrincipal({auth::Role::kService, std::string(service), "", ""}));
  ctx.AddMetadata(auth::kInternalProofHeader, std::string(internal_proof));
}

bool IsTransient(int code) {
  switch (static_cast<grpc::StatusCode>(code)) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
      return true;
    default:
      return false;
  }
}

absl::Status FromPeer(const grpc::Status& status, absl::string_view peer, absl::string_view method,
                      absl::string_view rule) {
  if (IsTransient(status.error_code())) {
    return Error(absl::StatusCode::kUnavailable,
                 absl::StrCat(absl::AsciiStrToUpper(peer), "_UNAVAILABLE"),
                 absl::StrCat("the ", peer, " service could not answer ", method, " (",
                              static_cast<int>(status.error_code()), ": ", status.error_message(),
                              "); nothing was written: retry with the same request_id"),
                 absl::StrCat(peer, " 服务暂不可用，未做任何修改，请稍后以相同请求编号重试"), rule);
  }
  // The peer's own answer: its code, reason, rule and Chinese words, named as the peer's.
  std::string reason, peer_rule, chinese;
  google::rpc::Status details;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& d : details.details()) {
      google::rpc::ErrorInfo info;
      google::rpc::LocalizedMessage localized;
      if (d.UnpackTo(&info)) {
        reason = info.reason();
        auto it = info.metadata().find("rule");
        if (it != info.metadata().end()) peer_rule = it->second;
      } else if (d.UnpackTo(&localized)) {
        chinese = localized.message();
      }
    }
  }
  return Error(
      static_cast<absl::StatusCode>(status.error_code()),
      reason.empty() ? absl::StrCat(absl::AsciiStrToUpper(peer), "_REFUSED") : reason,
      absl::StrCat("the ", peer, " service refused ", method, ": ", status.error_message()),
      chinese.empty() ? absl::StrCat(peer, " 服务拒绝了该请求") : chinese, peer_rule);
}

}  // namespace zhigai::peers
