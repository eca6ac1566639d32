// Helpers the feedback handlers share: method names, request keys, engagement names, evidence
// lists, the refusals for another's record or division, and the caller's scope on a filter.
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/core/errors.h"
#include "libs/server/request_kit.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"

namespace zhigai::feedback {

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::FeedbackService::service_full_name(), name);
}

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckRequestId;
using server::CheckYear;
using server::IdFromName;
using server::IdOf;

inline constexpr size_t kMaxEvidence = 20;
inline constexpr int kMaxBatch = 1000;

// "engagements/{id}": tracking's resource name, a positive numeric id.
absl::Status CheckEngagementName(const std::string& name, absl::string_view field);

// min..kMaxEvidence document ids of 1..200 characters, violations under `field` with `rule`.
void CheckEvidence(const google::protobuf::RepeatedPtrField<std::string>& ids,
                   const std::string& field, size_t min, absl::string_view rule, Violations& v);

// PERMISSION_DENIED: a county bureau asked about another division.
absl::Status OutsideDivision();

// PERMISSION_DENIED: the record (a rating, a complaint, a finding) belongs to someone else.
absl::Status NotYours(absl::string_view what);

// The caller's scope forced onto a filter: a filter naming someone else is refused rather than
// silently replaced.
absl::Status ScopeFilter(const std::string& own, std::string* filter, absl::string_view what);

}  // namespace zhigai::feedback
