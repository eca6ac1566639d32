// Small helpers shared by the handler files.
#pragma once

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/request_kit.h"
#include "libs/server/serve.h"
#include "services/review/domain/call.h"
#include "services/review/store.h"

namespace zhigai::review::handlers {

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::ReviewService::service_full_name(), name);
}

// The shared request kit (libs/server/request_kit.h).
using server::AfterId;
using server::ChangeOf;
using server::CheckRequestId;
using server::CheckVersion;

inline absl::Status Unauthenticated() {
  return Error(absl::StatusCode::kUnauthenticated, "AUTHENTICATION_REQUIRED",
               "this call needs an authenticated caller", "请先登录");
}

// Moves the call to `to` through the domain's state machine (R4.1) with `extra` checks and
// changes in the same transaction; only the bureau that runs the call may.
// Issue 26: records on a call the version of the application rules in force on 1 January of
// its year (FAILED_PRECONDITION APPLICATION_RULES_NOT_IN_FORCE before the first version).
absl::Status RecordRuleVersion(const std::vector<ApplicationRules>& rules, v1::Call& call);

absl::StatusOr<v1::Call> MoveCall(
    ReviewStore& store, const server::Call& call, const std::string& name, int64_t version,
    CallState to, const std::function<absl::Status(db::Connection&, v1::Call&)>& extra);

// An application as `call` may read it: the bureaus overseeing the call, the applicant (or a
// consortium member), or an expert assigned to it (contact people redacted). Anyone else gets
// PERMISSION_DENIED.
struct Readable {
  v1::Call call;
  StoredApplication app;
};
absl::StatusOr<Readable> ReadApplication(ReviewStore& store, const server::Call& call,
                                         int64_t call_id, int64_t application_id);

}  // namespace zhigai::review::handlers
