#include "services/feedback/tracking_directory.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/peers/peer_call.h"
#include "libs/wire/typed_time.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::feedback {
namespace {

namespace tv1 = tracking::v1;

std::optional<EngagementState> StateOf(tv1::EngagementState state) {
  // Tracking's proto says ENTERPRISE_ACCEPTED (ACCEPTED is taken in its package); the rest
  // share their names with the domain.
  if (state == tv1::ENTERPRISE_ACCEPTED) return EngagementState::kAccepted;
  if (!tv1::EngagementState_IsValid(state)) return std::nullopt;
  return ParseEngagementState(tv1::EngagementState_Name(state));
}

// The business (Asia/Shanghai) date of a time tracking sent.
absl::StatusOr<absl::CivilDay> LocalDayOf(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) {
    return absl::InternalError("tracking sent an engagement change without its time");
  }
  return core::BusinessDayOf(wire::FromTimestamp(time));
}

absl::StatusOr<std::optional<absl::CivilDay>> DeliveryDay(const tv1::Engagement& e) {
  for (tv1::EngagementState reached : {tv1::DELIVERED, tv1::ENTERPRISE_ACCEPTED}) {
    for (const auto& event : e.history()) {
      if (event.to_state() != reached) continue;
      ASSIGN_OR_RETURN(auto day, LocalDayOf(event.change().time()));
      return std::optional<absl::CivilDay>(day);
    }
  }
  return std::optional<absl::CivilDay>();
}

}  // namespace

absl::StatusOr<EngagementFacts> FactsFromTracking(const tv1::Engagement& e) {
  EngagementFacts facts;
  facts.enterprise_credit_code = e.enterprise_credit_code();
  facts.institution_credit_code = e.institution_credit_code();
  facts.division_code = e.division_code();
  auto state = StateOf(e.state());
  if (!state.has_value()) {
    return absl::InternalError(
        absl::StrCat("tracking sent engagement ", e.name(), " in an unknown state ", e.state()));
  }
  facts.state = *state;
  if (facts.state == EngagementState::kDelivered || facts.state == EngagementState::kAccepted) {
    ASSIGN_OR_RETURN(auto day, DeliveryDay(e));
    if (!day.has_value()) {
      return absl::InternalError(
          absl::StrCat("tracking sent delivered engagement ", e.name(), " without its delivery"));
    }
    facts.delivered_on = *day;
  }
  return facts;
}

TrackingEngagementDirectory::TrackingEngagementDirectory(std::shared_ptr<grpc::Channel> channel,
                                                         std::string internal_proof,
                                                         absl::Duration timeout)
    : channel_(std::move(channel)), proof_(std::move(internal_proof)), timeout_(timeout) {}

absl::StatusOr<EngagementFacts> TrackingEngagementDirectory::Get(const std::string& engagement) {
  auto stub = tv1::TrackingService::NewStub(channel_);
  grpc::ClientContext ctx;
  peers::PrepareCall(ctx, "feedback", proof_, timeout_);
  tv1::GetEngagementRequest request;
  request.set_name(engagement);
  tv1::Engagement response;
  const grpc::Status status = stub->GetEngagement(&ctx, request, &response);
  if (status.ok()) return FactsFromTracking(response);
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return Error(absl::StatusCode::kNotFound, "ENGAGEMENT_NOT_FOUND",
                   absl::StrCat(engagement, " is not known to the tracking service"),
                   "未找到该服务项目");
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      return Error(
          absl::StatusCode::kUnavailable, "TRACKING_UNAVAILABLE",
          absl::StrCat("the tracking service cannot confirm ", engagement,
                       " now; retry with the same request_id (", status.error_message(), ")"),
          "服务项目信息暂时无法核实，请稍后重试");
    default:
      // Refusals of feedback itself (a wrong proof, a malformed name) are our faults.
      return absl::InternalError(absl::StrCat("tracking refused GetEngagement for ", engagement,
                                              ": ", status.error_code(), " ",
                                              status.error_message()));
  }
}

}  // namespace zhigai::feedback
