// For tests of services over gRPC: what a failed call's google.rpc.Status details say, decoded
// the one way the services encode them (libs/server/grpc_status). One copy for every service's
// tests instead of one per fixture.
#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/errors.h"
#include "libs/server/grpc_status.h"

namespace zhigai::server::testing {

// The ErrorInfo reason ("CALL_NOT_DRAFT"); "" when the call succeeded or carried none.
inline std::string ReasonOf(const grpc::Status& status) {
  return zhigai::ReasonOf(FromGrpcStatus(status));
}

// The rule ID the error cites ("R4.1"); "" when none.
inline std::string RuleOf(const grpc::Status& status) {
  return zhigai::RuleOf(FromGrpcStatus(status));
}

// The fields the google.rpc.BadRequest detail names, in the order the service reported them.
inline std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

}  // namespace zhigai::server::testing
