// The registry's handlers for eligibility (R4.3, R14.5).
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/server/serve.h"
#include "libs/wire/typed_time.h"
#include "services/registry/eligibility.h"
#include "services/registry/handlers.h"
#include "services/registry/handlers_util.h"

namespace zhigai::registry {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

namespace {
absl::StatusOr<absl::CivilDay> ValidateEligibilityRequest(const v1::CheckEligibilityRequest& r,
                                                          const std::string& prefix,
                                                          const ReferenceData& ref) {
  Violations v;
  v.Absorb(core::ValidateCreditCode(r.credit_code(), prefix + "credit_code"));
  if (r.service_kind() == common::v1::SERVICE_KIND_UNSPECIFIED ||
      !common::v1::ServiceKind_IsValid(r.service_kind())) {
    v.Add(prefix + "service_kind", "R3.1",
          "service_kind must be DIAGNOSIS, SOLUTION_DESIGN or TRAINING_SERVICE");
  }
  auto date = wire::ParseBusinessDate(r.date(), prefix + "date");
  v.Absorb(date.status());
  if (!r.division_code().empty()) {
    v.Absorb(ref.divisions.ValidateDivision(r.division_code(), prefix + "division_code"));
  }
  RETURN_IF_ERROR(v.Finish());
  return *date;
}
}  // namespace

absl::StatusOr<std::vector<v1::Eligibility>> RegistryHandlers::Decide(
    const std::vector<const v1::CheckEligibilityRequest*>& requests, core::Io io) {
  std::vector<absl::CivilDay> dates;
  std::set<std::string> codes;
  std::set<int> years;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::string prefix = requests.size() == 1 ? "" : absl::StrCat("requests[", i, "].");
    ASSIGN_OR_RETURN(auto date, ValidateEligibilityRequest(*requests[i], prefix, ref_));
    dates.push_back(date);
    codes.insert(requests[i]->credit_code());
    years.insert(static_cast<int>(date.year()));
  }
  auto facts =
      store_.LoadEligibilityFacts({codes.begin(), codes.end()}, {years.begin(), years.end()}, io);
  if (!facts.ok()) return facts.status();
  std::set<std::string> known(facts->known.begin(), facts->known.end());
  std::map<std::pair<std::string, int>, std::vector<EntryFact>> entries;
  for (auto& [code, year_entry] : facts->entries) {
    entries[{code, year_entry.first}].push_back(year_entry.second);
  }
  std::map<std::string, std::vector<SanctionFact>> sanctions;
  for (auto& [code, s] : facts->sanctions) sanctions[code].push_back(s);
  std::vector<v1::Eligibility> out;
  static const std::vector<EntryFact> kNoEntries;
  static const std::vector<SanctionFact> kNoSanctions;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& code = requests[i]->credit_code();
    auto e = entries.find({code, static_cast<int>(dates[i].year())});
    auto s = sanctions.find(code);
    out.push_back(DecideEligibility(*requests[i], dates[i], known.count(code) > 0,
                                    e == entries.end() ? kNoEntries : e->second,
                                    s == sanctions.end() ? kNoSanctions : s->second));
  }
  return out;
}

namespace {
// Who asks whether an institution may be paid for a service: the bureaus, the services and the
// policy platform that pay, and the parties to the service. Not experts (scoped to their
// applications) and not the public.
absl::Status RequireEligibilityCaller(const Call& call) {
  return RequireRole(call, {Role::kCityBureau, Role::kCountyBureau, Role::kService,
                            Role::kInstitution, Role::kEnterprise, Role::kPolicyPlatform});
}
}  // namespace

absl::Status RegistryHandlers::AnswerCheckEligibility(const Call& call,
                                                      const v1::CheckEligibilityRequest& req,
                                                      v1::Eligibility* resp, core::Io io) {
  RETURN_IF_ERROR(RequireEligibilityCaller(call));
  ASSIGN_OR_RETURN(auto out, Decide({&req}, io));
  *resp = std::move((out)[0]);
  return absl::OkStatus();
}

grpc::Status RegistryHandlers::BatchCheckEligibility(grpc::ServerContext* ctx,
                                                     const v1::BatchCheckEligibilityRequest* req,
                                                     v1::BatchCheckEligibilityResponse* resp) {
  return Serve(ctx, proof_, FullMethod("BatchCheckEligibility"),
               [&](const Call& call) -> absl::Status {
                 RETURN_IF_ERROR(RequireEligibilityCaller(call));
                 if (req->requests().empty() || req->requests_size() > 1000) {
                   return InvalidField("requests", "AIP-231", "send between 1 and 1000 requests",
                                       "批量请求须为1至1000条");
                 }
                 std::vector<const v1::CheckEligibilityRequest*> list;
                 for (const auto& r : req->requests()) list.push_back(&r);
                 ASSIGN_OR_RETURN(auto out, Decide(list));
                 for (auto& e : out) *resp->add_results() = std::move(e);
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::registry
