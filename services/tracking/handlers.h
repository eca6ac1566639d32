#pragma once

#include <string>

#include "libs/core/refdata.h"
#include "libs/peers/registry_eligibility.h"
#include "services/tracking/store.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::tracking {
using peers::EligibilityAnswer;
using peers::EligibilityChecker;
using peers::EligibilityQuery;
using peers::RegistryEligibility;
using peers::RegistryEligibilityOptions;
}  // namespace zhigai::tracking

namespace zhigai::server {
struct Call;
}

namespace zhigai::tracking {

struct ReferenceData {
  core::IndustryCatalog industries;
  core::DivisionCatalog divisions;
};

// Where the answer to one batch of pushed records goes: the fields of the response message
// (the stream's, reused from batch to batch, or the unary call's), filled in place.
struct BatchAnswer {
  google::protobuf::RepeatedPtrField<v1::RecordResult>* results;
  v1::OutcomeCounts* counts;
  v1::BatchCheck* check;  // filled only when the batch carries a claim
};

// Translates gRPC calls: who is calling, is the request well formed, may this caller do it,
// then the store; errors leave as gRPC codes with details (libs/server/grpc_status).
// The methods are defined in handlers_parties.cc (enterprises, needs), handlers_engagements.cc
// and handlers_projects.cc (the platform's intake and the metrics).
class TrackingHandlers final : public v1::TrackingService::Service {
 public:
  TrackingHandlers(TrackingStore& store, const ReferenceData& ref, EligibilityChecker& eligibility,
                   std::string internal_proof, Clock clock)
      : store_(store),
        ref_(ref),
        eligibility_(eligibility),
        proof_(std::move(internal_proof)),
        clock_(std::move(clock)) {}

  grpc::Status CreateEnterprise(grpc::ServerContext*, const v1::CreateEnterpriseRequest*,
                                v1::Enterprise*) override;
  grpc::Status GetEnterprise(grpc::ServerContext*, const v1::GetEnterpriseRequest*,
                             v1::Enterprise*) override;
  grpc::Status ListEnterprises(grpc::ServerContext*, const v1::ListEnterprisesRequest*,
                               v1::ListEnterprisesResponse*) override;
  grpc::Status CreateNeed(grpc::ServerContext*, const v1::CreateNeedRequest*, v1::Need*) override;
  grpc::Status GetNeed(grpc::ServerContext*, const v1::GetNeedRequest*, v1::Need*) override;
  grpc::Status ListNeeds(grpc::ServerContext*, const v1::ListNeedsRequest*,
                         v1::ListNeedsResponse*) override;
  grpc::Status AssignNeed(grpc::ServerContext*, const v1::AssignNeedRequest*, v1::Need*) override;
  grpc::Status RespondToAssignment(grpc::ServerContext*, const v1::RespondToAssignmentRequest*,
                                   v1::Need*) override;

  grpc::Status ReportEngagement(grpc::ServerContext*, const v1::ReportEngagementRequest*,
                                v1::Engagement*) override;
  grpc::Status GetEngagement(grpc::ServerContext*, const v1::GetEngagementRequest*,
                             v1::Engagement*) override;
  grpc::Status ListEngagements(grpc::ServerContext*, const v1::ListEngagementsRequest*,
                               v1::ListEngagementsResponse*) override;
  grpc::Status UpdateEngagementProgress(grpc::ServerContext*,
                                        const v1::UpdateEngagementProgressRequest*,
                                        v1::Engagement*) override;
  grpc::Status AddEngagementDocument(grpc::ServerContext*, const v1::AddEngagementDocumentRequest*,
                                     v1::Engagement*) override;

  grpc::Status PushProjects(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::PushProjectsResponse, v1::PushProjectsRequest>*) override;
  grpc::Status BatchPushProjects(grpc::ServerContext*, const v1::BatchPushProjectsRequest*,
                                 v1::BatchPushProjectsResponse*) override;
  grpc::Status ReconcileProjects(grpc::ServerContext*, const v1::ReconcileProjectsRequest*,
                                 v1::ProjectReconciliation*) override;
  grpc::Status GetIngestSummary(grpc::ServerContext*, const v1::GetIngestSummaryRequest*,
                                v1::IngestSummary*) override;
  grpc::Status BatchPushProjectCounts(grpc::ServerContext*,
                                      const v1::BatchPushProjectCountsRequest*,
                                      v1::BatchPushProjectCountsResponse*) override;
  grpc::Status ListProjectRecords(grpc::ServerContext*, const v1::ListProjectRecordsRequest*,
                                  v1::ListProjectRecordsResponse*) override;
  grpc::Status ListProjectCountRevisions(grpc::ServerContext*,
                                         const v1::ListProjectCountRevisionsRequest*,
                                         v1::ListProjectCountRevisionsResponse*) override;
  grpc::Status SetIntakeMode(grpc::ServerContext*, const v1::SetIntakeModeRequest*,
                             v1::IntakeSetting*) override;
  grpc::Status GetIntakeMode(grpc::ServerContext*, const v1::GetIntakeModeRequest*,
                             v1::IntakeSetting*) override;
  grpc::Status GetIntakeReconciliation(grpc::ServerContext*,
                                       const v1::GetIntakeReconciliationRequest*,
                                       v1::IntakeReconciliation*) override;
  grpc::Status BatchGetProjectMetrics(grpc::ServerContext*,
                                      const v1::BatchGetProjectMetricsRequest*,
                                      v1::BatchGetProjectMetricsResponse*) override;

 private:
  // Validates, stores and answers one batch of records (both push RPCs).
  absl::Status PushBatch(const server::Call& call, const std::string& label,
                         const google::protobuf::RepeatedPtrField<v1::ProjectRecord>& records,
                         const v1::BatchClaim* claim, const BatchAnswer& answer);
  std::string Now() const;

  TrackingStore& store_;
  const ReferenceData& ref_;
  EligibilityChecker& eligibility_;
  std::string proof_;
  Clock clock_;
};

}  // namespace zhigai::tracking
