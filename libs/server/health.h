// grpc.health.v1.Health on the sync API. gRPC's default health service runs on the callback
// API, which brings its own polling threads and executor into every process; they pick up
// network events meant for the sync handlers and hand them over, a thread hop per call that
// perf showed as the largest cost of a cached read. This one runs on the same sync threads as
// the services, so a process has a single kind of poller (docs/benchmarks.md, issue 2).
#pragma once

#include <grpcpp/health_check_service_interface.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace zhigai::server {

class SyncHealthService final : public grpc::health::v1::Health::Service,
                                public grpc::HealthCheckServiceInterface {
 public:
  SyncHealthService();

  // Names not set yet are unknown (NOT_FOUND); "" starts SERVING, as in gRPC's default.
  void SetServingStatus(const std::string& service_name, bool serving) override;
  void SetServingStatus(bool serving) override;
  // Every name NOT_SERVING for good; watchers are released.
  void Shutdown() override;

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the status now and on every change until the caller leaves or the server stops.
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  Status StatusOf(const std::string& name) const;  // mu_ held

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, bool> serving_;
  bool shut_down_ = false;
};

// The server owns its health service through this interface; the registered Service is the
// same object, kept alive by the shared pointer for as long as the server lives.
std::unique_ptr<grpc::HealthCheckServiceInterface> ShareHealth(
    std::shared_ptr<SyncHealthService> service);

}  // namespace zhigai::server
