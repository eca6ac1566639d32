// Small helpers shared by the handler files: resource names, paging tokens, keys.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/peers/registry_eligibility.h"
#include "libs/server/call.h"
#include "libs/server/request_kit.h"
#include "services/tracking/store.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::tracking {

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::TrackingService::service_full_name(), name);
}

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckRequestId;
using server::CheckYear;
using server::IdFromName;

// "{collection}/{credit_code}" with a valid code (R0.1).
absl::StatusOr<std::string> CodeFromName(const std::string& name, absl::string_view collection,
                                         absl::string_view field);
// FAILED_PRECONDITION INSTITUTION_NOT_ELIGIBLE naming every reason the registry gave.
absl::Status NotEligible(const peers::EligibilityAnswer& answer);

}  // namespace zhigai::tracking
