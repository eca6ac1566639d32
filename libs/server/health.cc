#include "libs/server/health.h"

#include <chrono>

namespace zhigai::server {
namespace {

using grpc::health::v1::HealthCheckResponse;

class SharedHealth final : public grpc::HealthCheckServiceInterface {
 public:
  explicit SharedHealth(std::shared_ptr<SyncHealthService> s) : s_(std::move(s)) {}
  void SetServingStatus(const std::string& name, bool serving) override {
    s_->SetServingStatus(name, serving);
  }
  void SetServingStatus(bool serving) override { s_->SetServingStatus(serving); }
  void Shutdown() override { s_->Shutdown(); }

 private:
  std::shared_ptr<SyncHealthService> s_;
};

}  // namespace

SyncHealthService::SyncHealthService() { serving_[""] = true; }

void SyncHealthService::SetServingStatus(const std::string& name, bool serving) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  serving_[name] = serving;
  changed_.notify_all();
}

void SyncHealthService::SetServingStatus(bool serving) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  for (auto& [name, value] : serving_) value = serving;
  changed_.notify_all();
}

void SyncHealthService::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, value] : serving_) value = false;
  shut_down_ = true;
  changed_.notify_all();
}

SyncHealthService::Status SyncHealthService::StatusOf(const std::string& name) const {
  auto it = serving_.find(name);
  if (it == serving_.end()) return HealthCheckResponse::SERVICE_UNKNOWN;
  return it->second ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::Status SyncHealthService::Check(grpc::ServerContext*,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  std::lock_guard<std::mutex> lock(mu_);
  Status status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown health service name");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status SyncHealthService::Watch(grpc::ServerContext* context,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  std::unique_lock<std::mutex> lock(mu_);
  bool first = true;
  Status last = HealthCheckResponse::UNKNOWN;
  while (!context->IsCancelled()) {
    Status now = StatusOf(request->service());
    if (first || now != last) {
      HealthCheckResponse response;
      response.set_status(now);
      lock.unlock();
      bool sent = writer->Write(response);
      lock.lock();
      if (!sent) break;
      first = false;
      last = now;
    }
    if (shut_down_) break;
    // Cancellation has no notification on the sync API: look again every half second.
    changed_.wait_for(lock, std::chrono::milliseconds(500));
  }
  return grpc::Status::OK;
}

std::unique_ptr<grpc::HealthCheckServiceInterface> ShareHealth(
    std::shared_ptr<SyncHealthService> service) {
  return std::make_unique<SharedHealth>(std::move(service));
}

}  // namespace zhigai::server
