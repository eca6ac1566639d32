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
#include "services/training/store.h"

namespace zhigai::training {

inline constexpr int kMaxBatch = 1000;

Change ChangeOf(const server::Call& call);

// "<collection>/{id}" -> id (> 0); INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int64_t> IdFromName(const std::string& name, absl::string_view collection,
                                   absl::string_view field);
// "meetings/{m}/problems/{p}" -> (m, p).
absl::StatusOr<std::pair<int64_t, int64_t>> ProblemIdFromName(const std::string& name,
                                                              absl::string_view field);

absl::StatusOr<int64_t> AfterId(const std::string& page_token);
std::string IdOf(const std::string& name);

absl::Status CheckYear(int year, absl::string_view field);
absl::Status CheckRequestId(const std::string& key, absl::string_view field);
// 1..kMaxBatch valid, distinct credit codes (R0.1), for the batch RPCs.
absl::Status ValidateBatchCodes(const google::protobuf::RepeatedPtrField<std::string>& codes,
                                absl::string_view field);

}  // namespace zhigai::training
