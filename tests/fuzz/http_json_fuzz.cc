// The gateway's HTTP/JSON transcoding, for every method the gateway forwards. Input: a method's
// full name on the first line (an unknown name picks a method by hash, so mutations reach them
// all), then the body. Invariants: a JSON body that is accepted prints back to JSON that is
// accepted again and means the same message; any bytes taken as the backend's answer either
// fail cleanly or print JSON that parses back to the same message; an error reply is JSON.
#include <google/protobuf/descriptor.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/gateway/http_json.h"
#include "services/gateway/linked_protos.h"
#include "services/gateway/policy.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace gw = zhigai::gateway;
namespace pb = google::protobuf;

const std::vector<const pb::MethodDescriptor*>& Methods() {
  static const auto* methods = [] {
    auto* out = new std::vector<const pb::MethodDescriptor*>();
    auto services = gw::ServicesOf(gw::LinkedProtoFiles());
    Require(services.ok() && !services->empty(), "no linked services");
    for (const auto* s : *services) {
      for (int i = 0; i < s->method_count(); ++i) out->push_back(s->method(i));
    }
    return out;
  }();
  return *methods;
}

// JSON → message → JSON → message: the second trip is a fixed point.
void RequireStable(const pb::Descriptor& type, const std::string& wire) {
  auto json = gw::ResponseJsonFromWire(type, wire);
  Require(json.has_value(), "an accepted message does not print as JSON");
  auto again = gw::RequestWireFromJson(type, *json);
  Require(again.ok(), "the gateway's own JSON is refused as a request body");
  auto json2 = gw::ResponseJsonFromWire(type, *again);
  Require(json2.has_value() && *json2 == *json, "JSON round trip changes the message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string name = input.substr(0, nl);
  std::string body = nl == std::string::npos ? "" : input.substr(nl + 1);
  const auto& methods = Methods();
  const pb::MethodDescriptor* method = nullptr;
  for (const auto* m : methods) {
    if (m->full_name() == name) method = m;
  }
  if (!method) method = methods[std::hash<std::string>()(name) % methods.size()];

  auto wire = gw::RequestWireFromJson(*method->input_type(), body);
  if (wire.ok()) {
    RequireStable(*method->input_type(), *wire);
  } else {
    Require(wire.status().code() == absl::StatusCode::kInvalidArgument,
            "a bad body is not INVALID_ARGUMENT");
  }
  // The same bytes as a backend's answer (the backend is trusted, but not its bytes).
  if (auto json = gw::ResponseJsonFromWire(*method->output_type(), body)) {
    Require(nlohmann::json::accept(*json), "a response prints as invalid JSON");
    auto back = gw::RequestWireFromJson(*method->output_type(), *json);
    Require(back.ok(), "a printed response does not parse back");
    RequireStable(*method->output_type(), *back);
  }
  // Error replies carry the backend's message and details: always valid JSON.
  int code = size > 0 ? data[0] % 18 : 2;
  grpc::Status status(static_cast<grpc::StatusCode>(code), name, body);
  auto error = nlohmann::json::parse(gw::ErrorJson(status), nullptr, false);
  Require(!error.is_discarded() && error["code"].is_string() && error["details"].is_array(),
          "ErrorJson is not the documented JSON");
  return 0;
}
