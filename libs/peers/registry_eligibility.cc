#include "libs/peers/registry_eligibility.h"

#include <grpcpp/grpcpp.h>

#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/peers/peer_call.h"
#include "libs/wire/typed_time.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::peers {

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

namespace {

registry::v1::CheckEligibilityRequest ToRequest(const EligibilityQuery& query) {
  registry::v1::CheckEligibilityRequest request;
  request.set_credit_code(query.credit_code);
  common::v1::ServiceKind kind = common::v1::SERVICE_KIND_UNSPECIFIED;
  common::v1::ServiceKind_Parse(query.service_kind, &kind);
  request.set_service_kind(kind);
  if (auto date = wire::DateFromText(query.date)) *request.mutable_date() = *date;
  request.set_division_code(query.division_code);
  return request;
}

EligibilityAnswer FromResponse(const registry::v1::Eligibility& response) {
  EligibilityAnswer answer;
  answer.eligible = response.eligible();
  for (const auto& r : response.reasons()) {
    answer.reasons.push_back(
        {registry::v1::IneligibilityReason_Name(r.reason()), r.rule(), r.message()});
  }
  for (const auto& e : response.entries()) answer.entries.push_back(e);
  return answer;
}

constexpr size_t kBatchLimit = 1000;  // the registry's BatchCheckEligibility limit

}  // namespace

absl::StatusOr<std::vector<EligibilityAnswer>> EligibilityChecker::CheckMany(
    const std::vector<EligibilityQuery>& queries) {
  std::vector<EligibilityAnswer> out;
  out.reserve(queries.size());
  for (const EligibilityQuery& q : queries) {
    ASSIGN_OR_RETURN(auto answer, Check(q));
    out.push_back(std::move(answer));
  }
  return out;
}

absl::StatusOr<EligibilityAnswer> RegistryEligibility::Check(const EligibilityQuery& query) {
  if (auto cached = cache_.Find(query)) return *cached;
  grpc::ClientContext ctx;
  PrepareCall(ctx, options_.service, options_.internal_proof, options_.timeout);
  registry::v1::Eligibility response;
  grpc::Status status = stub_->stub->CheckEligibility(&ctx, ToRequest(query), &response);
  if (!status.ok()) {
    // Down or slow: the write cannot be judged, nothing is written, the client retries with the
    // same request id. A considered refusal keeps its code (peer_call.h).
    return FromPeer(status, "registry", "CheckEligibility", "R12.1");
  }
  EligibilityAnswer answer = FromResponse(response);
  cache_.Put(query, answer);
  return answer;
}

absl::StatusOr<std::vector<EligibilityAnswer>> RegistryEligibility::CheckMany(
    const std::vector<EligibilityQuery>& queries) {
  std::vector<EligibilityAnswer> out(queries.size());
  std::vector<size_t> missing;
  for (size_t i = 0; i < queries.size(); ++i) {
    if (auto cached = cache_.Find(queries[i])) {
      out[i] = *std::move(cached);
    } else {
      missing.push_back(i);
    }
  }
  for (size_t from = 0; from < missing.size(); from += kBatchLimit) {
    const size_t to = std::min(missing.size(), from + kBatchLimit);
    registry::v1::BatchCheckEligibilityRequest request;
    for (size_t k = from; k < to; ++k) *request.add_requests() = ToRequest(queries[missing[k]]);
    grpc::ClientContext ctx;
    PrepareCall(ctx, options_.service, options_.internal_proof, options_.timeout);
    registry::v1::BatchCheckEligibilityResponse response;
    grpc::Status status = stub_->stub->BatchCheckEligibility(&ctx, request, &response);
    if (!status.ok()) return FromPeer(status, "registry", "BatchCheckEligibility", "R12.1");
    if (static_cast<size_t>(response.results_size()) != to - from) {
      return FromPeer(grpc::Status(grpc::StatusCode::INTERNAL, "answered a different count"),
                      "registry", "BatchCheckEligibility", "R12.1");
    }
    for (size_t k = from; k < to; ++k) {
      out[missing[k]] = FromResponse(response.results(static_cast<int>(k - from)));
      cache_.Put(queries[missing[k]], out[missing[k]]);
    }
  }
  return out;
}

}  // namespace zhigai::peers
