// For tests and tools that call a service directly: a client context carrying what the
// gateway sends for a verified principal (nothing for PUBLIC, as the gateway sends none).
#pragma once

#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <string>

#include "libs/auth/principal.h"

namespace zhigai::server::testing {

inline std::unique_ptr<grpc::ClientContext> ContextAs(const auth::Principal& principal,
                                                      const std::string& proof,
                                                      std::chrono::seconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (principal.role != auth::Role::kPublic) {
    ctx->AddMetadata(auth::kPrincipalHeader, auth::EncodePrincipal(principal));
    ctx->AddMetadata(auth::kInternalProofHeader, proof);
  }
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

}  // namespace zhigai::server::testing
