// HTTP/JSON for browsers and scripts, on civetweb (the HTTP server prometheus-cpp's exposer
// already brings in): `POST /<package>.<Service>/<Method>` with a JSON body in the protobuf
// JSON mapping, as the Connect protocol's unary convention, so curl works. Server-streaming
// methods answer newline-delimited JSON ({"result": ...} a line, {"error": ...} last on
// failure). Errors are {"code", "message", "details"} with Connect's code names and statuses.
// GET and HEAD serve the public pages (static_files.h) when a folder is set.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

struct mg_context;
struct mg_connection;

namespace grpc {
class Status;
}
namespace google::protobuf {
class Descriptor;
}

namespace zhigai::gateway {

class Gateway;
class StaticFiles;

class HttpJson {
 public:
  // `pages` (may be null: no pages) must outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpJson>> Start(Gateway& gateway,
                                                         const std::string& listen, int threads,
                                                         const StaticFiles* pages = nullptr);
  ~HttpJson();
  int port() const { return port_; }
  void Stop();

 private:
  HttpJson(Gateway& gateway, const StaticFiles* pages) : gateway_(gateway), pages_(pages) {}
  static int Handle(mg_connection* conn, void* self);
  int Serve(mg_connection* conn);
  Gateway& gateway_;
  const StaticFiles* pages_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

// Where the OpenAPI document of the HTTP/JSON surface is served (GET and HEAD, no token needed).
inline constexpr char kOpenApiPath[] = "/openapi.json";

// Connect's name and HTTP status of a gRPC code.
std::string ConnectCodeName(int code);
int HttpStatusOf(int code);
// {"code": ..., "message": ..., "details": [{"type", "value", "debug"}]} for a gRPC status.
std::string ErrorJson(const grpc::Status& status);

// The two transcoding steps of a unary call, kept free of civetweb and gRPC so that they can be
// tested and fuzzed on their own (tests/fuzz/http_json_fuzz.cc).
// A JSON body (protobuf JSON mapping) as the wire bytes of an `input_type` message; an empty
// body is the empty message. INVALID_ARGUMENT naming the type when the JSON does not match.
absl::StatusOr<std::string> RequestWireFromJson(const google::protobuf::Descriptor& input_type,
                                                const std::string& body);
// A backend's answer (wire bytes of an `output_type` message) as JSON; nullopt when the bytes
// do not parse as that message or the message cannot be printed.
std::optional<std::string> ResponseJsonFromWire(const google::protobuf::Descriptor& output_type,
                                                const std::string& bytes);

}  // namespace zhigai::gateway
