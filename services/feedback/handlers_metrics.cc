// The feedback service's handlers for the metrics the evaluation pulls.
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/status_macros.h"
#include "libs/server/serve.h"
#include "services/feedback/handlers.h"
#include "services/feedback/handlers_util.h"

namespace zhigai::feedback {
namespace {

using auth::Role;
using server::Call;
using server::RequireRole;
using server::Serve;

}  // namespace

grpc::Status FeedbackHandlers::BatchGetFeedbackMetrics(
    grpc::ServerContext* ctx, const v1::BatchGetFeedbackMetricsRequest* req,
    v1::BatchGetFeedbackMetricsResponse* resp) {
  return Serve(ctx, d_.internal_proof, FullMethod("BatchGetFeedbackMetrics"),
               [&](const Call& call) -> absl::Status {
                 if (auto s = RequireRole(call, {Role::kService, Role::kCityBureau}); !s.ok())
                   return s;
                 Violations v;
                 v.Absorb(CheckYear(req->year(), "year"));
                 if (req->credit_codes().empty() || req->credit_codes_size() > kMaxBatch) {
                   v.Add("credit_codes", "AIP-231", "credit_codes: send between 1 and 1000 codes");
                 }
                 std::set<std::string> seen;
                 for (int i = 0; i < req->credit_codes_size(); ++i) {
                   const std::string field = absl::StrCat("credit_codes[", i, "]");
                   v.Absorb(core::ValidateCreditCode(req->credit_codes(i), field));
                   if (!seen.insert(req->credit_codes(i)).second)
                     v.Add(field, "AIP-231", field + ": listed twice");
                 }
                 RETURN_IF_ERROR(v.Finish());
                 ASSIGN_OR_RETURN(auto metrics,
                                  d_.store.BatchMetrics(req->year(), {req->credit_codes().begin(),
                                                                      req->credit_codes().end()}));
                 for (const std::string& code : req->credit_codes()) {
                   v1::InstitutionFeedbackMetrics* m = resp->add_metrics();
                   auto found = metrics.find(code);
                   if (found != metrics.end()) *m = std::move(found->second);
                   m->set_credit_code(code);
                   m->mutable_content();  // present with zeros when nothing was rated
                   m->mutable_results();
                 }
                 return absl::OkStatus();
               });
}

}  // namespace zhigai::feedback
