// The tracking-backed engagement directory over real gRPC against a stand-in TrackingService
// that answers GetEngagement the way tracking.v1 defines it.
#include "services/feedback/tracking_directory.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/core/errors.h"
#include "libs/server/host.h"
#include "libs/wire/testing/literals.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::feedback {
namespace {

namespace tv1 = tracking::v1;
constexpr char kProof[] = "tracking-test-proof";

tv1::Engagement Engagement(int id, tv1::EngagementState state) {
  tv1::Engagement e;
  e.set_name(absl::StrCat("engagements/", id));
  e.set_institution_credit_code("91330300MA2H123456");
  e.set_enterprise_credit_code("913303007045678901");
  e.set_division_code("330302");
  e.set_state(state);
  return e;
}

void AddStep(tv1::Engagement& e, tv1::EngagementState from, tv1::EngagementState to,
             const std::string& time) {
  auto* event = e.add_history();
  event->set_from_state(from);
  event->set_to_state(to);
  if (!time.empty()) *event->mutable_change()->mutable_time() = wire::testing::T(time);
}

class FakeTracking final : public tv1::TrackingService::Service {
 public:
  std::map<std::string, tv1::Engagement> engagements;
  std::string last_principal, last_proof;

  grpc::Status GetEngagement(grpc::ServerContext* ctx, const tv1::GetEngagementRequest* req,
                             tv1::Engagement* resp) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto meta = [&](const char* key) {
      auto it = ctx->client_metadata().find(key);
      return it == ctx->client_metadata().end() ? std::string()
                                                : std::string(it->second.data(), it->second.size());
    };
    last_principal = meta(auth::kPrincipalHeader);
    last_proof = meta(auth::kInternalProofHeader);
    auto it = engagements.find(req->name());
    if (it == engagements.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such");
    *resp = it->second;
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
};

TEST(FactsFromTrackingTest, DeliveryDateIsTheLocalDateOfTheDeliveredStep) {
  auto e = Engagement(1, tv1::DELIVERED);
  AddStep(e, tv1::REPORTED, tv1::IN_PROGRESS, "2025-06-01T02:00:00Z");
  // 16:30 UTC on 31 December is 00:30 on 1 January in Wenzhou: a 2026 engagement.
  AddStep(e, tv1::IN_PROGRESS, tv1::DELIVERED, "2025-12-31T16:30:00.000000Z");
  auto facts = FactsFromTracking(e);
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->state, EngagementState::kDelivered);
  EXPECT_EQ(facts->delivered_on, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(EngagementYear(*facts), 2026);
  EXPECT_EQ(facts->enterprise_credit_code, "913303007045678901");
  EXPECT_EQ(facts->institution_credit_code, "91330300MA2H123456");
  EXPECT_EQ(facts->division_code, "330302");
}

TEST(FactsFromTrackingTest, AcceptedKeepsTheDeliveryDateAndUndeliveredHasNone) {
  auto accepted = Engagement(2, tv1::ENTERPRISE_ACCEPTED);
  AddStep(accepted, tv1::IN_PROGRESS, tv1::DELIVERED, "2025-03-03T08:00:00Z");
  AddStep(accepted, tv1::DELIVERED, tv1::ENTERPRISE_ACCEPTED, "2025-04-04T08:00:00Z");
  auto facts = FactsFromTracking(accepted);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->state, EngagementState::kAccepted);
  EXPECT_EQ(facts->delivered_on, absl::CivilDay(2025, 3, 3));

  auto running = FactsFromTracking(Engagement(3, tv1::IN_PROGRESS));
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->state, EngagementState::kInProgress);
  EXPECT_FALSE(running->delivered_on.has_value());
}

TEST(FactsFromTrackingTest, InconsistentAnswersAreInternalErrors) {
  EXPECT_EQ(FactsFromTracking(Engagement(4, tv1::DELIVERED)).status().code(),
            absl::StatusCode::kInternal);  // delivered without a delivery step
  EXPECT_EQ(FactsFromTracking(Engagement(5, tv1::ENGAGEMENT_STATE_UNSPECIFIED)).status().code(),
            absl::StatusCode::kInternal);
  auto bad_time = Engagement(6, tv1::DELIVERED);
  AddStep(bad_time, tv1::IN_PROGRESS, tv1::DELIVERED, "yesterday");
  EXPECT_EQ(FactsFromTracking(bad_time).status().code(), absl::StatusCode::kInternal);
}

TEST(TrackingEngagementDirectoryTest, AsksTrackingAsTheFeedbackServiceAndMapsItsAnswers) {
  FakeTracking tracking;
  auto e = Engagement(7, tv1::DELIVERED);
  AddStep(e, tv1::IN_PROGRESS, tv1::DELIVERED, "2025-08-08T08:00:00Z");
  tracking.engagements[e.name()] = e;
  int port = 0;
  auto server = server::StartServer({&tracking}, "127.0.0.1:0", nullptr, &port);
  ASSERT_NE(server, nullptr);
  TrackingEngagementDirectory directory(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()),
      kProof);

  auto facts = directory.Get("engagements/7");
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->delivered_on, absl::CivilDay(2025, 8, 8));
  auto principal = auth::DecodePrincipal(tracking.last_principal);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->role, auth::Role::kService);
  EXPECT_EQ(principal->subject, "feedback");
  EXPECT_EQ(tracking.last_proof, kProof);

  auto missing = directory.Get("engagements/8");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(missing.status()), "ENGAGEMENT_NOT_FOUND");
  server->Shutdown();
}

TEST(TrackingEngagementDirectoryTest, TrackingDownIsUnavailable) {
  int port = 0;
  auto probe = server::StartServer({}, "127.0.0.1:0", nullptr, &port);  // a port nobody serves
  probe->Shutdown();
  probe.reset();
  TrackingEngagementDirectory directory(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()),
      kProof, absl::Seconds(1));
  auto facts = directory.Get("engagements/7");
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(facts.status()), "TRACKING_UNAVAILABLE");
}

}  // namespace
}  // namespace zhigai::feedback
