// Small helpers shared by the handler files.
#pragma once

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"
#include "libs/db/paging.h"
#include "libs/server/serve.h"
#include "services/review/domain/call.h"
#include "services/review/store.h"

namespace zhigai::review::handlers {

#define METHOD(name) "/zhigai.review.v1.ReviewService/" #name

inline Change ChangeOf(const server::Call& call) { return {call.actor(), call.method}; }

inline absl::Status CheckRequestId(const std::string& id, absl::string_view field = "request_id") {
  return core::ValidateLine(id, field, 1, 64, "AIP-155");
}

inline absl::Status CheckVersion(int64_t version, absl::string_view field = "version") {
  if (version > 0) return absl::OkStatus();
  return InvalidField(field, "AIP-154", "send the version you read (optimistic concurrency)",
                      "请提供读取时的版本号");
}

// Keyset paging on ids: the token carries the last id of the previous page.
inline absl::StatusOr<int64_t> AfterId(const std::string& token) {
  auto raw = db::DecodePageToken(token);
  if (!raw.ok()) return raw.status();
  if (raw->empty()) return int64_t{0};
  int64_t id = 0;
  if (!absl::SimpleAtoi(*raw, &id) || id < 0) {
    return InvalidField("page_token", "AIP-158", "bad page token", "分页令牌无效");
  }
  return id;
}

inline absl::Status Unauthenticated() {
  return Error(absl::StatusCode::kUnauthenticated, "AUTHENTICATION_REQUIRED",
               "this call needs an authenticated caller", "请先登录");
}

// Moves the call to `to` through the domain's state machine (R4.1) with `extra` checks and
// changes in the same transaction; only the bureau that runs the call may.
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
