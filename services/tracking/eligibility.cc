#include "services/tracking/eligibility.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal.h"
#include "libs/core/errors.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::tracking {

std::optional<EligibilityAnswer> EligibilityCache::Find(const EligibilityQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(query);
  if (it == slots_.end()) return std::nullopt;
  if (clock_() >= it->second.expires) {
    slots_.erase(it);
    return std::nullopt;
  }
  return it->second.answer;
}

void EligibilityCache::Put(const EligibilityQuery& query, EligibilityAnswer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slots_.size() >= capacity_) slots_.clear();  // bounded memory; a cold cache is only slower
  slots_[query] = Slot{std::move(answer), clock_() + ttl_};
}

struct RegistryEligibility::Stub {
  std::unique_ptr<registry::v1::RegistryService::Stub> stub;
};

RegistryEligibility::RegistryEligibility(RegistryEligibilityOptions options)
    : options_(std::move(options)),
      cache_(options_.cache_ttl, options_.cache_capacity, [] { return absl::Now(); }),
      stub_(std::make_unique<Stub>()) {
  stub_->stub = registry::v1::RegistryService::NewStub(
      grpc::CreateChannel(options_.address, grpc::InsecureChannelCredentials()));
}

RegistryEligibility::~RegistryEligibility() = default;

absl::StatusOr<EligibilityAnswer> RegistryEligibility::Check(const EligibilityQuery& query) {
  if (auto cached = cache_.Find(query)) return *cached;
  registry::v1::CheckEligibilityRequest request;
  request.set_credit_code(query.credit_code);
  common::v1::ServiceKind kind = common::v1::SERVICE_KIND_UNSPECIFIED;
  common::v1::ServiceKind_Parse(query.service_kind, &kind);
  request.set_service_kind(kind);
  request.set_date(query.date);
  request.set_division_code(query.division_code);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(options_.timeout));
  ctx.AddMetadata(auth::kPrincipalHeader,
                  auth::EncodePrincipal({auth::Role::kService, "tracking", "", ""}));
  ctx.AddMetadata(auth::kInternalProofHeader, options_.internal_proof);
  registry::v1::Eligibility response;
  grpc::Status status = stub_->stub->CheckEligibility(&ctx, request, &response);
  if (!status.ok()) {
    // Whatever the registry's trouble (down, slow, refusing us), the report cannot be judged:
    // the caller retries later with the same request id; nothing was written.
    return Error(absl::StatusCode::kUnavailable, "REGISTRY_UNAVAILABLE",
                 absl::StrCat("the registry could not check eligibility (",
                              static_cast<int>(status.error_code()), ": ", status.error_message(),
                              "); retry with the same request_id"),
                 "名录服务暂不可用，无法核验服务机构资格，请稍后以相同请求编号重试", "R12.1");
  }
  EligibilityAnswer answer;
  answer.eligible = response.eligible();
  for (const auto& r : response.reasons()) {
    answer.reasons.push_back(
        {registry::v1::IneligibilityReason_Name(r.reason()), r.rule(), r.message()});
  }
  for (const auto& e : response.entries()) answer.entries.push_back(e);
  cache_.Put(query, answer);
  return answer;
}

}  // namespace zhigai::tracking
