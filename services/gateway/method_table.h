// What the gateway knows about each method it may forward, computed once at start-up so a call
// costs one hash lookup: the roles the policy allows, the backend that serves the package,
// the streaming shape from the descriptor, and the method's metric series.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "services/gateway/policy.h"

namespace grpc {
class Channel;
template <class R, class W>
class TemplatedGenericStub;
class ByteBuffer;
using GenericStub = TemplatedGenericStub<ByteBuffer, ByteBuffer>;
}  // namespace grpc
namespace google::protobuf {
class MethodDescriptor;
}
namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace zhigai::gateway {

struct Backend {
  std::string name;     // "registry"
  std::string address;  // "127.0.0.1:7101"
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  Backend();
  ~Backend();
};

class Metrics;

struct MethodInfo {
  std::string path;   // "/zhigai.registry.v1.RegistryService/GetInstitution"
  std::string label;  // the path without the leading slash (metrics, logs, HTTP)
  RoleSet roles = 0;
  Backend* backend = nullptr;  // null: no backend serves the package
  const google::protobuf::MethodDescriptor* descriptor = nullptr;  // null: not linked
  bool unary() const;
  // Series of this method, created once and reused (code → counter on first use).
  prometheus::Histogram* latency = nullptr;
  std::array<std::atomic<prometheus::Counter*>, 17> calls{};
};

class Metrics {
 public:
  explicit Metrics(prometheus::Registry* registry);
  void Record(MethodInfo* method, int code, double seconds);
  // Calls refused before a method is known (the method is not in the policy).
  void RecordUnknown(int code);
  prometheus::Histogram* NewLatency(const std::string& method, const std::string& backend);

 private:
  prometheus::Family<prometheus::Counter>* calls_ = nullptr;
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
  std::array<std::atomic<prometheus::Counter*>, 17> unknown_{};
};

struct BackendOptions {
  // Package ("zhigai.registry.v1") → address.
  std::map<std::string, std::string> addresses;
  int max_message_bytes = 4 << 20;
};

class MethodTable {
 public:
  static absl::StatusOr<std::unique_ptr<MethodTable>> Build(const Policy& policy,
                                                            const BackendOptions& backends,
                                                            Metrics& metrics);
  // null when the policy has no line for the method.
  MethodInfo* Find(absl::string_view path) const;
  const std::map<std::string, std::unique_ptr<Backend>>& backends() const { return backends_; }

 private:
  std::map<std::string, std::unique_ptr<Backend>> backends_;  // by package
  absl::flat_hash_map<std::string, std::unique_ptr<MethodInfo>> methods_;
};

}  // namespace zhigai::gateway
