#pragma once

#include <functional>
#include <string>
#include <vector>

#include "libs/core/sanction_rules.h"
#include "libs/peers/registry_reader.h"
#include "services/feedback/engagement_directory.h"
#include "services/feedback/store.h"
#include "zhigai/feedback/v1/feedback.grpc.pb.h"

namespace zhigai::feedback {

struct HandlerDeps {
  FeedbackStore& store;
  EngagementDirectory& engagements;
  // Whether a complained-of institution is registered; the bars a bureau lifted (R14.5).
  peers::RegistryReader& registry;
  // R14.5's figures by version (data/sanction-rules.tsv), the ones the registry also reads.
  const std::vector<core::SanctionRules>& sanction_rules;
  std::string internal_proof;
  Clock clock;
  // Called after a transaction that enqueued an outbox command has committed (wakes the
  // dispatcher so the registry hears of a sanction at once rather than at the next poll).
  std::function<void()> outbox_committed;
};

// Translates gRPC calls: who is calling, is the request well formed, may this caller do it,
// then the store; errors leave as gRPC codes with details (libs/server/grpc_status).
class FeedbackHandlers : public v1::FeedbackService::Service {
 public:
  explicit FeedbackHandlers(HandlerDeps deps) : d_(std::move(deps)) {}

  grpc::Status RateEngagement(grpc::ServerContext*, const v1::RateEngagementRequest*,
                              v1::Rating*) override;
  grpc::Status RecordPhoneRating(grpc::ServerContext*, const v1::RecordPhoneRatingRequest*,
                                 v1::Rating*) override;
  grpc::Status GetRating(grpc::ServerContext*, const v1::GetRatingRequest*, v1::Rating*) override;
  grpc::Status ListRatings(grpc::ServerContext*, const v1::ListRatingsRequest*,
                           v1::ListRatingsResponse*) override;
  grpc::Status GetRatingSettings(grpc::ServerContext*, const v1::GetRatingSettingsRequest*,
                                 v1::RatingSettings*) override;
  grpc::Status UpdateRatingSettings(grpc::ServerContext*, const v1::UpdateRatingSettingsRequest*,
                                    v1::RatingSettings*) override;
  grpc::Status FileComplaint(grpc::ServerContext*, const v1::FileComplaintRequest*,
                             v1::Complaint*) override;
  grpc::Status VerifyComplaint(grpc::ServerContext*, const v1::VerifyComplaintRequest*,
                               v1::Complaint*) override;
  grpc::Status GetComplaint(grpc::ServerContext*, const v1::GetComplaintRequest*,
                            v1::Complaint*) override;
  grpc::Status ListComplaints(grpc::ServerContext*, const v1::ListComplaintsRequest*,
                              v1::ListComplaintsResponse*) override;
  grpc::Status RecordPlagiarismFinding(grpc::ServerContext*,
                                       const v1::RecordPlagiarismFindingRequest*,
                                       v1::PlagiarismFinding*) override;
  grpc::Status GetPlagiarismFinding(grpc::ServerContext*, const v1::GetPlagiarismFindingRequest*,
                                    v1::PlagiarismFinding*) override;
  grpc::Status ListPlagiarismFindings(grpc::ServerContext*,
                                      const v1::ListPlagiarismFindingsRequest*,
                                      v1::ListPlagiarismFindingsResponse*) override;
  grpc::Status BatchGetFeedbackMetrics(grpc::ServerContext*,
                                       const v1::BatchGetFeedbackMetricsRequest*,
                                       v1::BatchGetFeedbackMetricsResponse*) override;

 private:
  // RateEngagement and RecordPhoneRating differ only in who may call and how it is marked.
  struct RatingCall {
    const std::string* engagement;
    v1::SatisfactionLevel content, results;
    const std::string* comment;
    int64_t version;
    const std::string* request_id;
    const google::protobuf::Message* request;  // the whole request: its id is bound to it
  };
  grpc::Status Rate(grpc::ServerContext* ctx, absl::string_view method, const RatingCall& in,
                    v1::RatingSource source, v1::Rating* resp);
  absl::CivilDay Today() const;

  HandlerDeps d_;
};

}  // namespace zhigai::feedback
