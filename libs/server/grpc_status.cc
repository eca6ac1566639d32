#include "libs/server/grpc_status.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/errors.h"
#include "libs/server/log.h"

namespace zhigai::server {
namespace {

absl::string_view DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kAborted:
      return "CONCURRENT_MODIFICATION";
    case absl::StatusCode::kUnavailable:
      return "DEPENDENCY_UNAVAILABLE";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    default:
      return "INTERNAL";
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  // Database internals (and a corrupt row's contents) are not the caller's business; the
  // detail goes to the log here, since the RPC log line only sees what the caller sees.
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kDataLoss) {
    log::Error("hidden from the caller", {{"error", status.ToString()}});
    message = status.code() == absl::StatusCode::kInternal
                  ? "internal error"
                  : "stored data is unreadable; the operators have the detail";
  }

  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  google::rpc::ErrorInfo info;
  std::string reason = ReasonOf(status);
  info.set_reason(reason.empty() ? std::string(DefaultReason(status.code())) : reason);
  info.set_domain(kErrorDomain);
  if (std::string rule = RuleOf(status); !rule.empty()) (*info.mutable_metadata())["rule"] = rule;
  details.add_details()->PackFrom(info);
  auto violations = ViolationsOf(status);
  if (!violations.empty()) {
    google::rpc::BadRequest bad;
    for (const auto& v : violations) {
      auto* fv = bad.add_field_violations();
      fv->set_field(v.field);
      fv->set_description(absl::StrCat(v.rule, ": ", v.description));
    }
    details.add_details()->PackFrom(bad);
  }
  if (std::string zh = ChineseOf(status); !zh.empty()) {
    google::rpc::LocalizedMessage localized;
    localized.set_locale("zh-CN");
    localized.set_message(zh);
    details.add_details()->PackFrom(localized);
  }
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string reason, rule, zh;
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      google::rpc::LocalizedMessage localized;
      if (any.UnpackTo(&info)) {
        reason = info.reason();
        auto it = info.metadata().find("rule");
        if (it != info.metadata().end()) rule = it->second;
      } else if (any.UnpackTo(&localized)) {
        zh = localized.message();
      }
    }
  }
  return Error(code, reason.empty() ? DefaultReason(code) : reason, status.error_message(), zh,
               rule);
}

grpc::Status UnparsableRequest() {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "the request message could not be parsed (a string field must be valid "
                      "UTF-8)");
}

std::string GrpcCodeName(int code) {
  // gRPC's codes are Abseil's, number for number (absl/status/status.h says so), and Abseil
  // names them in the same canonical spelling.
  if (code < 0 || code > 16) return "UNKNOWN";
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace zhigai::server
