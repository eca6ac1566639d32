#include "services/gateway/http_json.h"

#include <civetweb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/auth/principal.h"
#include "libs/server/grpc_status.h"
#include "libs/server/log.h"
#include "services/gateway/backend_metadata.h"
#include "services/gateway/gateway.h"
#include "services/gateway/json_civil_forms.h"
#include "services/gateway/static_files.h"

namespace zhigai::gateway {

// docs/api/openapi.json, embedded at build time (cmake/embed_text.cmake).
extern const char kOpenApiJson[];

namespace {

namespace pb = google::protobuf;

// Callers that give no deadline get this one: an HTTP worker thread is a scarce resource.
constexpr int kDefaultHttpTimeoutMs = 30000;

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

void Send(mg_connection* conn, const HttpReply& reply, const std::string& request_id) {
  mg_response_header_start(conn, reply.status);
  mg_response_header_add(conn, "Content-Type", reply.content_type.c_str(), -1);
  mg_response_header_add(conn, "X-Request-Id", request_id.c_str(), -1);
  std::string length = absl::StrCat(reply.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  mg_write(conn, reply.body.data(), reply.body.size());
}

HttpReply ErrorReply(const grpc::Status& status) {
  return {HttpStatusOf(status.error_code()), "application/json", ErrorJson(status)};
}

grpc::Status Fail(grpc::StatusCode code, const std::string& message) {
  return grpc::Status(code, message);
}

// Reads the whole request body, refusing more than `limit` bytes.
bool ReadBody(mg_connection* conn, int64_t limit, std::string* body) {
  char buf[16384];
  for (;;) {
    int n = mg_read(conn, buf, sizeof(buf));
    if (n <= 0) return true;
    if (static_cast<int64_t>(body->size()) + n > limit) return false;
    body->append(buf, n);
  }
}

std::string ToJson(const pb::Message& message, bool* ok) {
  std::string out;
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  *ok = pb::util::MessageToJsonString(message, &out, options).ok();
  return out;
}

}  // namespace

std::string ConnectCodeName(int code) {
  // The Connect protocol names codes as gRPC does, in lower case, but spells "canceled".
  if (code == static_cast<int>(grpc::StatusCode::CANCELLED)) return "canceled";
  return absl::AsciiStrToLower(server::GrpcCodeName(code));
}

int HttpStatusOf(int code) {
  static const int kStatus[17] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                                  400, 409, 400, 501, 500, 503, 500, 401};
  return code >= 0 && code <= 16 ? kStatus[code] : 500;
}

std::string ErrorJson(const grpc::Status& status) {
  nlohmann::json out = {{"code", ConnectCodeName(status.error_code())},
                        {"message", status.error_message()}};
  nlohmann::json details = nlohmann::json::array();
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    const auto* pool = pb::DescriptorPool::generated_pool();
    for (const auto& any : rich.details()) {
      std::string type = any.type_url().substr(any.type_url().rfind('/') + 1);
      nlohmann::json d = {{"type", type}, {"value", absl::Base64Escape(any.value())}};
      // Known detail types (google.rpc.*) are also shown decoded, for people and scripts.
      if (const auto* desc = pool->FindMessageTypeByName(type)) {
        const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(desc);
        if (proto) {
          std::unique_ptr<pb::Message> m(proto->New());
          bool ok = false;
          std::string json;
          if (m->ParseFromString(any.value())) json = ToJson(*m, &ok);
          if (ok) d["debug"] = nlohmann::json::parse(json, nullptr, false);
        }
      }
      details.push_back(std::move(d));
    }
  }
  out["details"] = std::move(details);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<std::string> RequestWireFromJson(const pb::Descriptor& input_type,
                                                const std::string& body) {
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(&input_type);
  std::unique_ptr<pb::Message> request(proto->New());
  if (!body.empty()) {
    std::string rewritten;
    if (HasCivilFields(input_type)) {
      nlohmann::json tree = nlohmann::json::parse(body, nullptr, false);
      if (!tree.is_discarded()) {
        if (absl::Status civil = CivilTextToObjects(input_type, tree); !civil.ok()) return civil;
        rewritten = tree.dump();
      }
    }
    auto parsed =
        pb::util::JsonStringToMessage(rewritten.empty() ? body : rewritten, request.get());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the JSON body does not match ",
                                                     input_type.full_name(), ": ",
                                                     std::string(parsed.message())));
    }
  }
  std::string wire;
  request->SerializeToString(&wire);
  return wire;
}

std::optional<std::string> ResponseJsonFromWire(const pb::Descriptor& output_type,
                                                const std::string& bytes) {
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(&output_type);
  std::unique_ptr<pb::Message> response(proto->New());
  if (!response->ParseFromString(bytes)) return std::nullopt;
  bool ok = false;
  std::string json = ToJson(*response, &ok);
  if (!ok) return std::nullopt;
  if (!HasCivilFields(output_type)) return json;
  nlohmann::json tree = nlohmann::json::parse(json, nullptr, false);
  if (tree.is_discarded()) return std::nullopt;
  CivilObjectsToText(output_type, tree);
  return tree.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<std::unique_ptr<HttpJson>> HttpJson::Start(Gateway& gateway,
                                                          const std::string& listen, int threads,
                                                          const StaticFiles* pages) {
  std::unique_ptr<HttpJson> http(new HttpJson(gateway, pages));
  std::string thread_count = absl::StrCat(std::max(1, threads));
  // civetweb wants "127.0.0.1:0" as is; it binds an ephemeral port for 0.
  const char* options[] = {"listening_ports",
                           listen.c_str(),
                           "num_threads",
                           thread_count.c_str(),
                           "request_timeout_ms",
                           "60000",
                           "enable_keep_alive",
                           "yes",
                           nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  http->ctx_ = mg_start(&callbacks, nullptr, options);
  if (!http->ctx_) return absl::UnavailableError(absl::StrCat("cannot serve HTTP on ", listen));
  mg_server_port ports[4];
  int n = mg_get_server_ports(http->ctx_, 4, ports);
  if (n > 0) http->port_ = ports[0].port;
  mg_set_request_handler(http->ctx_, "/", &HttpJson::Handle, http.get());
  return http;
}

HttpJson::~HttpJson() { Stop(); }

void HttpJson::Stop() {
  if (ctx_) mg_stop(ctx_);
  ctx_ = nullptr;
}

int HttpJson::Handle(mg_connection* conn, void* self) {
  return static_cast<HttpJson*>(self)->Serve(conn);
}

int HttpJson::Serve(mg_connection* conn) {
  absl::Time start = absl::Now();
  const mg_request_info* ri = mg_get_request_info(conn);
  // The same rule as for gRPC callers: a usable id is kept, anything else replaced.
  const char* rid_header = mg_get_header(conn, "X-Request-Id");
  std::string request_id = UsableRequestId(rid_header ? rid_header : "");
  if (request_id.empty()) request_id = NewRequestId();
  std::string path = ri->local_uri ? ri->local_uri : "/";
  bool get = std::strcmp(ri->request_method, "GET") == 0;
  bool head = std::strcmp(ri->request_method, "HEAD") == 0;
  // The API reference of this surface (issue 25 item 3), generated from the protos.
  if ((get || head) && path == kOpenApiPath) {
    static const std::string document(kOpenApiJson);
    mg_response_header_start(conn, 200);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "X-Request-Id", request_id.c_str(), -1);
    mg_response_header_add(conn, "Content-Length", absl::StrCat(document.size()).c_str(), -1);
    mg_response_header_send(conn);
    if (get) mg_write(conn, document.data(), document.size());
    return 200;
  }
  if (pages_ && (get || head)) {
    return pages_->Serve(conn, path, !get, request_id);
  }
  MethodInfo* method = gateway_.methods().Find(path);
  int final_code = 0;
  std::string final_error;  // the backend's or the gateway's message, for the log line
  auto finish = [&](const HttpReply& reply, int code) {
    final_code = code;
    Send(conn, reply, request_id);
  };
  auto done = [&]() {
    double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (method) {
      gateway_.metrics().Record(method, final_code, seconds);
    } else {
      gateway_.metrics().RecordUnknown(final_code);
    }
    log::Info("http call", {{"request_id", request_id},
                            {"method", method ? method->label : "unknown"},
                            {"code", server::GrpcCodeName(final_code)},
                            {"ms", absl::StrCat(static_cast<int64_t>(seconds * 1e6) / 1e3)},
                            {"error", final_error}});
    return HttpStatusOf(final_code);
  };

  if (std::strcmp(ri->request_method, "POST") != 0) {
    finish({405, "application/json",
            ErrorJson(Fail(grpc::StatusCode::UNIMPLEMENTED,
                           "use POST /<package>.<Service>/<Method> with a JSON body"))},
           grpc::StatusCode::UNIMPLEMENTED);
    return done();
  }
  const char* authorization = mg_get_header(conn, "Authorization");
  auto admission = gateway_.Admit(path, authorization ? authorization : "", "", ri->remote_addr);
  if (!admission.ok()) {
    grpc::Status s = server::ToGrpcStatus(admission.status());
    finish(ErrorReply(s), s.error_code());
    return done();
  }
  const pb::MethodDescriptor* desc = method->descriptor;
  if (!desc || desc->client_streaming()) {
    grpc::Status s = Fail(grpc::StatusCode::UNIMPLEMENTED,
                          "this method is served over gRPC only (client or bidi streaming)");
    finish(ErrorReply(s), s.error_code());
    return done();
  }
  std::string body;
  if (!ReadBody(conn, gateway_.max_message_bytes(), &body)) {
    grpc::Status s =
        Fail(grpc::StatusCode::RESOURCE_EXHAUSTED,
             absl::StrCat("the request body exceeds ", gateway_.max_message_bytes(), " bytes"));
    finish({413, "application/json", ErrorJson(s)}, s.error_code());
    return done();
  }
  auto wire = RequestWireFromJson(*desc->input_type(), body);
  if (!wire.ok()) {
    // A civil field's bad shape carries its field and rule; the parser's own errors do not.
    grpc::Status s = server::ToGrpcStatus(wire.status());
    finish(ErrorReply(s), s.error_code());
    return done();
  }
  grpc::Slice slice(*wire);
  grpc::ByteBuffer out_buf(&slice, 1);

  int timeout_ms = kDefaultHttpTimeoutMs;
  if (const char* t = mg_get_header(conn, "Connect-Timeout-Ms")) {
    int v;
    if (absl::SimpleAtoi(t, &v) && v > 0) timeout_ms = std::min(v, 10 * 60 * 1000);
  }
  const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms);
  const bool streaming = desc->server_streaming();
  bool headers_sent = false;
  int messages = 0;
  std::string first_json;
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline);
    SetBackendMetadata(ctx, admission->principal, gateway_.internal_proof(), request_id);
    grpc::CompletionQueue cq;
    // Corked: the headers leave with the request message, and StartCall's tag never returns.
    ctx.set_initial_metadata_corked(true);
    auto call = method->backend->stub->PrepareCall(&ctx, path, &cq);
    void* tag;
    bool ok;
    call->StartCall(reinterpret_cast<void*>(1));
    call->WriteLast(out_buf, grpc::WriteOptions(), reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    grpc::ByteBuffer in_buf;
    for (;;) {
      call->Read(&in_buf, reinterpret_cast<void*>(3));
      cq.Next(&tag, &ok);
      if (!ok) break;
      std::vector<grpc::Slice> slices;
      std::string bytes;
      if (in_buf.Dump(&slices).ok()) {
        for (const auto& s : slices)
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      std::optional<std::string> converted = ResponseJsonFromWire(*desc->output_type(), bytes);
      if (!converted) {
        ctx.TryCancel();
        continue;
      }
      std::string json = std::move(*converted);
      ++messages;
      if (!streaming) {
        first_json = std::move(json);
        continue;
      }
      if (!headers_sent) {
        mg_response_header_start(conn, 200);
        mg_response_header_add(conn, "Content-Type", "application/x-ndjson", -1);
        mg_response_header_add(conn, "X-Request-Id", request_id.c_str(), -1);
        mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
        mg_response_header_send(conn);
        headers_sent = true;
      }
      std::string line = absl::StrCat("{\"result\":", json, "}\n");
      if (mg_send_chunk(conn, line.data(), line.size()) < 0) ctx.TryCancel();  // client gone
    }
    call->Finish(&status, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    // A backend closing its connection at its age (5 minutes) refuses the streams it never
    // processed with GOAWAY; HTTP/2 (RFC 9113 §6.8) says those may be sent again, and gRPC 1.51
    // does not do it for us. Once, and only before anything was answered.
    if (attempt == 1 && messages == 0 && !headers_sent &&
        status.error_code() == grpc::StatusCode::UNAVAILABLE &&
        status.error_message() == "GOAWAY received") {
      continue;
    }
    break;
  }
  if (headers_sent) {
    if (!status.ok()) {
      final_error = status.error_message();
      std::string line = absl::StrCat("{\"error\":", ErrorJson(status), "}\n");
      mg_send_chunk(conn, line.data(), line.size());
    }
    mg_send_chunk(conn, "", 0);
    final_code = status.error_code();
    done();
    return 200;
  }
  if (!status.ok()) {
    final_error = status.error_message();
    finish(ErrorReply(status), status.error_code());
  } else if (streaming) {
    finish({200, "application/x-ndjson", ""}, 0);
  } else if (messages != 1) {
    grpc::Status s = Fail(grpc::StatusCode::INTERNAL, "the backend's answer could not be read");
    finish(ErrorReply(s), s.error_code());
  } else {
    finish({200, "application/json", first_json}, 0);
  }
  return done();
}

}  // namespace zhigai::gateway
