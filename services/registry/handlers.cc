// The registry's handler object: which methods are answered on the completion queue. The
// methods themselves are in handlers_<resource>.cc.
#include "services/registry/handlers.h"

namespace zhigai::registry {

using server::Call;

RegistryHandlers::RegistryHandlers(RegistryStore& store, const ReferenceData& ref,
                                   const std::vector<core::SanctionRules>& sanction_rules,
                                   std::string internal_proof, Clock clock, PublicChangeHub* hub)
    // One queue thread: a cached answer takes microseconds, and a second thread on two cores
    // cost more in wake-ups than it added (0.78 against 0.61 of pgbench -S, 15 against 18 µs
    // of CPU per call; docs/benchmarks.md). A replica that needs more runs beside others.
    // Eight blocking threads, as many as the usual connection pool.
    : server::CompletionQueueServing(1, 8),
      store_(store),
      ref_(ref),
      sanction_rules_(sanction_rules),
      proof_(std::move(internal_proof)),
      clock_(std::move(clock)),
      hub_(hub) {
  ServeAnswer<v1::GetInstitutionRequest, v1::Institution>(
      this, &RegistryServiceBase::RequestGetInstitution, proof_, FullMethod("GetInstitution"),
      [this](const Call& call, const v1::GetInstitutionRequest& req, v1::Institution* resp,
             core::Io io) { return AnswerGetInstitution(call, req, resp, io); });
  ServeAnswer<v1::CheckEligibilityRequest, v1::Eligibility>(
      this, &RegistryServiceBase::RequestCheckEligibility, proof_, FullMethod("CheckEligibility"),
      [this](const Call& call, const v1::CheckEligibilityRequest& req, v1::Eligibility* resp,
             core::Io io) { return AnswerCheckEligibility(call, req, resp, io); });
}

}  // namespace zhigai::registry
