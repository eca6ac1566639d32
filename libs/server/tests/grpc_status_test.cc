#include "libs/server/grpc_status.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/errors.h"

namespace zhigai::server {
namespace {

TEST(GrpcStatus, InvalidFieldBecomesErrorInfoBadRequestAndChineseMessage) {
  grpc::Status g = ToGrpcStatus(
      InvalidField("institution.credit_code", "R0.1", "wrong check character", "校验位错误"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  google::rpc::ErrorInfo info;
  google::rpc::BadRequest bad;
  google::rpc::LocalizedMessage zh;
  ASSERT_EQ(details.details_size(), 3);
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  ASSERT_TRUE(details.details(2).UnpackTo(&zh));
  EXPECT_EQ(info.reason(), "INVALID_FIELD");
  EXPECT_EQ(info.domain(), kErrorDomain);
  EXPECT_EQ(info.metadata().at("rule"), "R0.1");
  EXPECT_EQ(bad.field_violations(0).field(), "institution.credit_code");
  EXPECT_EQ(zh.locale(), "zh-CN");
  EXPECT_EQ(zh.message(), "校验位错误");
}

TEST(GrpcStatus, RoundTripKeepsCodeReasonAndRule) {
  absl::Status original = RuleViolation("FILING_TOO_LATE", "R13.4", "too late", "逾期");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(back), "FILING_TOO_LATE");
  EXPECT_EQ(RuleOf(back), "R13.4");
  EXPECT_EQ(ChineseOf(back), "逾期");
}

TEST(GrpcStatus, InternalDetailIsNotLeakedAndPlainErrorsGetADefaultReason) {
  grpc::Status g = ToGrpcStatus(absl::InternalError("database: relation x does not exist"));
  EXPECT_EQ(g.error_message(), "internal error");
  absl::Status nf = FromGrpcStatus(ToGrpcStatus(absl::NotFoundError("no such thing")));
  EXPECT_EQ(ReasonOf(nf), "NOT_FOUND");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

// A corrupt row (libs/db/enum_column.h) reaches the caller as DATA_LOSS without the row's
// contents, and the operators' log gets the detail that the caller does not.
TEST(GrpcStatus, DataLossHidesTheRowFromTheCallerAndLogsIt) {
  ::testing::internal::CaptureStderr();
  grpc::Status g = ToGrpcStatus(absl::DataLossError("calls.state holds \"OPNE\""));
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(g.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(g.error_message().find("OPNE"), std::string::npos) << g.error_message();
  EXPECT_NE(logged.find("calls.state holds"), std::string::npos) << logged;
  EXPECT_EQ(ReasonOf(FromGrpcStatus(g)), "DATA_LOSS");
}

TEST(GrpcStatus, CodeNamesAreTheCanonicalOnes) {
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::CANCELLED), "CANCELLED");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(GrpcCodeName(17), "UNKNOWN");
  EXPECT_EQ(GrpcCodeName(-1), "UNKNOWN");
}

}  // namespace
}  // namespace zhigai::server
