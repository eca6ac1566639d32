#include "libs/db/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace zhigai::db {
namespace {
constexpr absl::string_view kSqlStateUrl = "type.zhigai/sqlstate";
constexpr absl::string_view kConstraintUrl = "type.zhigai/constraint";
}  // namespace

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s == "23505") return absl::StatusCode::kAlreadyExists;                    // unique_violation
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;          // retry the tx
  if (s == "57014") return absl::StatusCode::kDeadlineExceeded;                 // statement timeout
  if (s == "23503") return absl::StatusCode::kFailedPrecondition;               // foreign key
  if (s == "23514" || s == "23502") return absl::StatusCode::kInvalidArgument;  // check/not null
  if (absl::StartsWith(s, "22")) return absl::StatusCode::kInvalidArgument;     // data exception
  if (absl::StartsWith(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s.empty()) {
    return absl::StatusCode::kUnavailable;  // connection gone, server shutting down
  }
  if (s == "53300") return absl::StatusCode::kResourceExhausted;  // too many connections
  return absl::StatusCode::kInternal;
}

absl::Status FromPostgres(absl::string_view statement, absl::string_view sqlstate,
                          absl::string_view message, absl::string_view constraint) {
  absl::Status status(CodeForSqlState(sqlstate),
                      absl::StrCat("database: ", statement, ": ", message));
  status.SetPayload(kSqlStateUrl, absl::Cord(sqlstate));
  if (!constraint.empty()) status.SetPayload(kConstraintUrl, absl::Cord(constraint));
  return status;
}

std::string SqlStateOf(const absl::Status& status) {
  auto p = status.GetPayload(kSqlStateUrl);
  return p ? std::string(*p) : std::string();
}

std::string ConstraintOf(const absl::Status& status) {
  auto p = status.GetPayload(kConstraintUrl);
  return p ? std::string(*p) : std::string();
}

bool IsRetryable(const absl::Status& status) {
  std::string s = SqlStateOf(status);
  return s == "40001" || s == "40P01";
}

bool IsConnectionLost(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable && status.GetPayload(kSqlStateUrl);
}

}  // namespace zhigai::db
