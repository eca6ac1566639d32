#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace prometheus {
class Registry;
}

namespace zhigai::server {

// Per call: makes sure there is an x-request-id (generates one, echoes it back), counts the
// call by method and code, observes its latency, and writes one access-log line.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeObservabilityInterceptor(
    prometheus::Registry* registry);

}  // namespace zhigai::server
