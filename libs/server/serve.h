// The shape of every unary handler: read the call (principal, request id), run the body that
// returns absl::Status, map the result to gRPC once.
#pragma once

#include <initializer_list>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"
#include "libs/core/io_policy.h"
#include "libs/server/call.h"
#include "libs/server/grpc_status.h"

namespace zhigai::server {

template <typename Fn>
grpc::Status Serve(grpc::ServerContext* context, absl::string_view proof, absl::string_view method,
                   Fn&& body) {
  auto call = ReadCall(*context, proof, method);
  if (!call.ok()) return ToGrpcStatus(call.status());
  return ToGrpcStatus(body(*call));
}

// The fast half of a method served on completion-queue threads (async_unary.h): the body runs
// with Io::kMemoryOnly, and nullopt means it needs I/O (the full half then runs it again, with
// Io::kAllowed, on a thread that may block).
template <typename Fn>
std::optional<grpc::Status> ServeFromMemory(grpc::ServerContext* context, absl::string_view proof,
                                            absl::string_view method, Fn&& body) {
  auto call = ReadCall(*context, proof, method);
  if (!call.ok()) return ToGrpcStatus(call.status());
  absl::Status status = body(*call, core::Io::kMemoryOnly);
  if (core::IsNeedsIo(status)) return std::nullopt;
  return ToGrpcStatus(status);
}

// PERMISSION_DENIED unless the caller has one of `roles`.
inline absl::Status RequireRole(const Call& call, std::initializer_list<auth::Role> roles) {
  for (auth::Role r : roles) {
    if (call.principal.role == r) return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (auth::Role r : roles) names.emplace_back(auth::RoleName(r));
  return Error(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
               absl::StrCat(auth::RoleName(call.principal.role), " may not call ", call.method,
                            "; allowed: ", absl::StrJoin(names, ", ")),
               "当前角色无权执行此操作");
}

inline absl::Status Forbidden(absl::string_view reason, absl::string_view english,
                              absl::string_view chinese) {
  return Error(absl::StatusCode::kPermissionDenied, reason, english, chinese);
}

}  // namespace zhigai::server
