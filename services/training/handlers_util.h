// Small helpers shared by the training handlers: resource names, paging tokens, request keys,
// year checks and the batch credit-code list.
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/server/call.h"
#include "libs/server/request_kit.h"
#include "services/training/store.h"
#include "zhigai/training/v1/training.grpc.pb.h"

namespace zhigai::training {

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::TrainingService::service_full_name(), name);
}

inline constexpr int kMaxBatch = 1000;

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckRequestId;
using server::CheckYear;
using server::IdFromName;
using server::IdOf;

// "meetings/{m}/problems/{p}" -> (m, p).
absl::StatusOr<std::pair<int64_t, int64_t>> ProblemIdFromName(const std::string& name,
                                                              absl::string_view field);

// 1..kMaxBatch valid, distinct credit codes (R0.1), for the batch RPCs.
absl::Status ValidateBatchCodes(const google::protobuf::RepeatedPtrField<std::string>& codes,
                                absl::string_view field);

}  // namespace zhigai::training
