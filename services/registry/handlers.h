#pragma once

#include <memory>
#include <string>

#include "libs/core/io_policy.h"
#include "libs/core/sanction_rules.h"
#include "libs/institution/profile.h"
#include "libs/server/async_unary.h"
#include "libs/server/call.h"
#include "libs/server/request_kit.h"
#include "services/registry/public_changes.h"
#include "services/registry/store.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::registry {

// The profile's catalogs and rules (libs/institution), under the names the registry uses.
using ReferenceData = institution::ReferenceData;

// The full gRPC name of one of this service's methods, for Serve and the audit.
inline std::string FullMethod(absl::string_view name) {
  return server::MethodName(v1::RegistryService::service_full_name(), name);
}

// The two hot reads, GetInstitution and CheckEligibility, are served on completion-queue
// threads: answered from the cache on the thread that read them, or handed to a blocking
// thread when they need PostgreSQL (libs/server/async_unary.h).
using RegistryServiceBase = v1::RegistryService::WithRawMethod_GetInstitution<
    v1::RegistryService::WithRawMethod_CheckEligibility<v1::RegistryService::Service>>;

// Translates gRPC calls: who is calling, is the request well formed, may this caller do it,
// then the store; errors leave as gRPC codes with details (libs/server/grpc_status).
class RegistryHandlers final : public RegistryServiceBase, public server::CompletionQueueServing {
 public:
  // `hub` (may be null: followers then poll the table) serves the feed's recent end to
  // WatchPublicChanges from memory.
  // `sanction_rules`: every version of data/sanction-rules.tsv (R14.5's term by version).
  RegistryHandlers(RegistryStore& store, const ReferenceData& ref,
                   const std::vector<core::SanctionRules>& sanction_rules,
                   std::string internal_proof, Clock clock, PublicChangeHub* hub = nullptr);
  ~RegistryHandlers() override { StopServing(); }

  grpc::Status CreateInstitution(grpc::ServerContext*, const v1::CreateInstitutionRequest*,
                                 v1::Institution*) override;
  grpc::Status UpdateInstitution(grpc::ServerContext*, const v1::UpdateInstitutionRequest*,
                                 v1::Institution*) override;
  grpc::Status ListInstitutions(grpc::ServerContext*, const v1::ListInstitutionsRequest*,
                                v1::ListInstitutionsResponse*) override;
  grpc::Status ListInstitutionRevisions(grpc::ServerContext*,
                                        const v1::ListInstitutionRevisionsRequest*,
                                        v1::ListInstitutionRevisionsResponse*) override;
  grpc::Status CreateConsortium(grpc::ServerContext*, const v1::CreateConsortiumRequest*,
                                v1::Consortium*) override;
  grpc::Status GetConsortium(grpc::ServerContext*, const v1::GetConsortiumRequest*,
                             v1::Consortium*) override;
  grpc::Status AdmitToDirectory(grpc::ServerContext*, const v1::AdmitToDirectoryRequest*,
                                v1::DirectoryEntry*) override;
  grpc::Status UpdateDirectoryEntry(grpc::ServerContext*, const v1::UpdateDirectoryEntryRequest*,
                                    v1::DirectoryEntry*) override;
  grpc::Status ListDirectoryEntries(grpc::ServerContext*, const v1::ListDirectoryEntriesRequest*,
                                    v1::ListDirectoryEntriesResponse*) override;
  grpc::Status ListDirectoryEntryChanges(grpc::ServerContext*,
                                         const v1::ListDirectoryEntryChangesRequest*,
                                         v1::ListDirectoryEntryChangesResponse*) override;
  grpc::Status FileCountyList(grpc::ServerContext*, const v1::FileCountyListRequest*,
                              v1::CountyFiling*) override;
  grpc::Status ListCountyFilings(grpc::ServerContext*, const v1::ListCountyFilingsRequest*,
                                 v1::ListCountyFilingsResponse*) override;
  grpc::Status ImposeSanction(grpc::ServerContext*, const v1::ImposeSanctionRequest*,
                              v1::Sanction*) override;
  grpc::Status LiftSanction(grpc::ServerContext*, const v1::LiftSanctionRequest*,
                            v1::Sanction*) override;
  grpc::Status ListSanctions(grpc::ServerContext*, const v1::ListSanctionsRequest*,
                             v1::ListSanctionsResponse*) override;
  grpc::Status BatchCheckEligibility(grpc::ServerContext*, const v1::BatchCheckEligibilityRequest*,
                                     v1::BatchCheckEligibilityResponse*) override;
  // The public feed (handlers_public_changes.cc).
  grpc::Status ListPublicChanges(grpc::ServerContext*, const v1::ListPublicChangesRequest*,
                                 v1::ListPublicChangesResponse*) override;
  grpc::Status WatchPublicChanges(grpc::ServerContext*, const v1::WatchPublicChangesRequest*,
                                  grpc::ServerWriter<v1::PublicChange>*) override;
  grpc::Status RecordPublicChange(grpc::ServerContext*, const v1::RecordPublicChangeRequest*,
                                  v1::PublicChange*) override;

 private:
  absl::Status AnswerGetInstitution(const server::Call& call, const v1::GetInstitutionRequest& req,
                                    v1::Institution* resp, core::Io io);
  absl::Status AnswerCheckEligibility(const server::Call& call,
                                      const v1::CheckEligibilityRequest& req, v1::Eligibility* resp,
                                      core::Io io);
  absl::StatusOr<std::vector<v1::Eligibility>> Decide(
      const std::vector<const v1::CheckEligibilityRequest*>& requests,
      core::Io io = core::Io::kAllowed);

  RegistryStore& store_;
  const ReferenceData& ref_;
  const std::vector<core::SanctionRules>& sanction_rules_;
  std::string proof_;
  Clock clock_;
  PublicChangeHub* hub_;
};

}  // namespace zhigai::registry
