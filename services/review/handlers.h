#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libs/peers/registry_eligibility.h"
#include "services/review/domain/application_rules.h"
#include "services/review/store.h"
#include "services/review/validate.h"
#include "zhigai/review/v1/review.grpc.pb.h"

namespace zhigai::review {

// Translates gRPC calls: who is calling, is the request well formed, may this caller do it,
// then the domain rules and the store; errors leave as gRPC codes with details.
// `on_enqueued` is called after a commit that wrote outbox commands (wakes the dispatcher).
class ReviewHandlers final : public v1::ReviewService::Service {
 public:
  // `eligibility` asks the registry whether an applicant is barred (R14.5) or cancelled (R14.4).
  // `application_rules`: every version of data/application-rules.tsv (R5's figures, issue 26).
  ReviewHandlers(ReviewStore& store, const ReferenceData& ref,
                 const std::vector<ApplicationRules>& application_rules,
                 peers::EligibilityChecker& eligibility, std::string internal_proof, Clock clock,
                 std::function<void()> on_enqueued = {})
      : store_(store),
        ref_(ref),
        application_rules_(application_rules),
        eligibility_(eligibility),
        proof_(std::move(internal_proof)),
        clock_(std::move(clock)),
        on_enqueued_(std::move(on_enqueued)) {}

  using Ctx = grpc::ServerContext;
  grpc::Status CreateCall(Ctx*, const v1::CreateCallRequest*, v1::Call*) override;
  grpc::Status GetCall(Ctx*, const v1::GetCallRequest*, v1::Call*) override;
  grpc::Status UpdateCall(Ctx*, const v1::UpdateCallRequest*, v1::Call*) override;
  grpc::Status ListCalls(Ctx*, const v1::ListCallsRequest*, v1::ListCallsResponse*) override;
  grpc::Status OpenCall(Ctx*, const v1::OpenCallRequest*, v1::Call*) override;
  grpc::Status CloseCall(Ctx*, const v1::CloseCallRequest*, v1::Call*) override;
  grpc::Status StartReview(Ctx*, const v1::StartReviewRequest*, v1::Call*) override;

  grpc::Status CreateApplication(Ctx*, const v1::CreateApplicationRequest*,
                                 v1::Application*) override;
  grpc::Status GetApplication(Ctx*, const v1::GetApplicationRequest*, v1::Application*) override;
  grpc::Status UpdateApplication(Ctx*, const v1::UpdateApplicationRequest*,
                                 v1::Application*) override;
  grpc::Status ListApplications(Ctx*, const v1::ListApplicationsRequest*,
                                v1::ListApplicationsResponse*) override;
  grpc::Status UploadDocument(Ctx*, grpc::ServerReader<v1::UploadDocumentRequest>*,
                              v1::Document*) override;
  grpc::Status DownloadDocument(Ctx*, const v1::DownloadDocumentRequest*,
                                grpc::ServerWriter<v1::DownloadDocumentResponse>*) override;
  grpc::Status ListDocuments(Ctx*, const v1::ListDocumentsRequest*,
                             v1::ListDocumentsResponse*) override;
  grpc::Status SubmitApplication(Ctx*, const v1::SubmitApplicationRequest*,
                                 v1::Application*) override;
  grpc::Status GetEligibilityChecklist(Ctx*, const v1::GetEligibilityChecklistRequest*,
                                       v1::EligibilityChecklist*) override;
  grpc::Status DecideChecklistItem(Ctx*, const v1::DecideChecklistItemRequest*,
                                   v1::EligibilityChecklist*) override;

  grpc::Status CreateExpert(Ctx*, const v1::CreateExpertRequest*, v1::Expert*) override;
  grpc::Status ListExperts(Ctx*, const v1::ListExpertsRequest*, v1::ListExpertsResponse*) override;
  grpc::Status AssignExperts(Ctx*, const v1::AssignExpertsRequest*,
                             v1::AssignExpertsResponse*) override;
  grpc::Status SubmitExpertScores(Ctx*, const v1::SubmitExpertScoresRequest*,
                                  v1::ExpertScoreSheet*) override;
  grpc::Status SelectApplicants(Ctx*, const v1::SelectApplicantsRequest*,
                                v1::SelectionResult*) override;

  grpc::Status StartPublicNotice(Ctx*, const v1::StartPublicNoticeRequest*, v1::Call*) override;
  grpc::Status GetPublicNotice(Ctx*, const v1::GetPublicNoticeRequest*, v1::PublicNotice*) override;
  grpc::Status FileObjection(Ctx*, const v1::FileObjectionRequest*, v1::Objection*) override;
  grpc::Status ResolveObjection(Ctx*, const v1::ResolveObjectionRequest*, v1::Objection*) override;
  grpc::Status ListObjections(Ctx*, const v1::ListObjectionsRequest*,
                              v1::ListObjectionsResponse*) override;
  grpc::Status FinishCall(Ctx*, const v1::FinishCallRequest*, v1::FinishCallResponse*) override;
  grpc::Status RetryAdmission(Ctx*, const v1::RetryAdmissionRequest*, v1::Application*) override;

 private:
  absl::CivilDay Today() const;
  // FAILED_PRECONDITION APPLICANT_SANCTIONED when the applicant or a consortium member is
  // barred (R14.5) or cancelled (R14.4) today, as the registry says; UNAVAILABLE when it
  // cannot answer.
  absl::Status CheckApplicantsNotSanctioned(const v1::Application& app);

  ReviewStore& store_;
  const ReferenceData& ref_;
  const std::vector<ApplicationRules>& application_rules_;
  peers::EligibilityChecker& eligibility_;
  std::string proof_;
  Clock clock_;
  std::function<void()> on_enqueued_;
};

}  // namespace zhigai::review
