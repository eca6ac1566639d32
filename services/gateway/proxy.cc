#include "services/gateway/proxy.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "libs/auth/principal.h"
#include "libs/server/grpc_status.h"
#include "libs/server/log.h"
#include "services/gateway/gateway.h"

namespace zhigai::gateway {
namespace {

// Each call keeps this many accepting slots per queue, so a burst does not wait for a slot.
constexpr int kAcceptSlotsPerQueue = 32;

enum Op : uint8_t {
  kNew,
  kDone,
  kStart,
  kClientRead,
  kBackendWrite,
  kWritesDone,
  kInitialMd,
  kSendInitialMd,
  kBackendRead,
  kClientWrite,
  kBackendFinish,
  kClientFinish,
  kOpCount
};

bool StartsWith(grpc::string_ref s, absl::string_view prefix) {
  return s.size() >= prefix.size() && absl::string_view(s.data(), prefix.size()) == prefix;
}
bool Equals(grpc::string_ref s, absl::string_view v) {
  return absl::string_view(s.data(), s.size()) == v;
}

// Never forwarded from a client: credentials, identity claims, and what the transport sets.
bool IsStrippedRequestKey(grpc::string_ref key) {
  return IsTransportKey(key) || Equals(key, "authorization") ||
         Equals(key, auth::kPrincipalHeader) || Equals(key, auth::kInternalProofHeader) ||
         Equals(key, auth::kRequestIdHeader) || Equals(key, "user-agent") || Equals(key, "host");
}

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";
constexpr char kHealthWatch[] = "/grpc.health.v1.Health/Watch";

std::string ValidRequestId(const Metadata& md) {
  auto it = md.find(auth::kRequestIdHeader);
  if (it != md.end() && it->second.size() > 0 && it->second.size() <= 128) {
    bool printable = true;
    for (char c : it->second) printable = printable && c > 0x20 && c < 0x7f;
    if (printable) return std::string(it->second.data(), it->second.size());
  }
  return NewRequestId();
}

class ProxyCall {
 public:
  ProxyCall(Proxy* proxy, grpc::ServerCompletionQueue* cq)
      : proxy_(proxy), cq_(cq), stream_(&ctx_) {
    proxy_->live.fetch_add(1);
    for (int i = 0; i < kOpCount; ++i) tags_[i] = Tag{this, static_cast<Op>(i)};
  }
  ~ProxyCall() { proxy_->live.fetch_sub(1); }

  struct Tag {
    ProxyCall* call;
    Op op;
  };

  void Accept(grpc::AsyncGenericService* service) {
    // Must precede the request: the done notification is armed when the call starts.
    ctx_.AsyncNotifyWhenDone(&tags_[kDone]);
    pending_ = 1;
    service->RequestCall(&ctx_, &stream_, cq_, cq_, &tags_[kNew]);
  }

  // Runs one event; deletes the call when nothing of it is outstanding any more.
  static void Dispatch(void* tag, bool ok) {
    auto* t = static_cast<Tag*>(tag);
    ProxyCall* call = t->call;
    --call->pending_;
    call->Handle(t->op, ok);
    if (call->pending_ == 0) delete call;
  }

 private:
  void* Post(Op op) {
    ++pending_;
    return &tags_[op];
  }

  void Handle(Op op, bool ok) {
    switch (op) {
      case kNew:
        return OnNew(ok);
      case kDone:
        if (ctx_.IsCancelled()) {
          downstream_cancelled_ = true;
          if (client_ctx_) client_ctx_->TryCancel();
        }
        return;
      case kStart:
        if (!ok && !unary_) return FinishBackend();
        if (!unary_) {
          stream_.Read(&up_, Post(kClientRead));
          call_->ReadInitialMetadata(Post(kInitialMd));
        }
        return;
      case kClientRead:
        if (local_health_) return AnswerHealth(ok);
        if (finishing_) return;
        if (!ok) {
          call_->WritesDone(Post(kWritesDone));
          return;
        }
        if (unary_) {
          call_->WriteLast(up_, grpc::WriteOptions(), Post(kBackendWrite));
        } else {
          call_->Write(up_, Post(kBackendWrite));
        }
        return;
      case kBackendWrite:
        if (ok && !unary_ && !finishing_) stream_.Read(&up_, Post(kClientRead));
        return;
      case kWritesDone:
        return;
      case kInitialMd:
        CopyInitialMetadata();
        if (!ok) return FinishBackend();
        stream_.SendInitialMetadata(Post(kSendInitialMd));
        return;
      case kSendInitialMd:
        if (!ok) return AbandonBackend();
        call_->Read(&down_, Post(kBackendRead));
        return;
      case kBackendRead:
        if (unary_) {
          got_response_ = ok;
          return FinishBackend();
        }
        if (!ok) return FinishBackend();
        stream_.Write(down_, Post(kClientWrite));
        return;
      case kClientWrite:
        if (!ok) return AbandonBackend();
        call_->Read(&down_, Post(kBackendRead));
        return;
      case kBackendFinish:
        return OnBackendFinish();
      case kClientFinish:
        return OnClientFinish();
      default:
        return;
    }
  }

  void OnNew(bool ok) {
    if (!ok) return;  // the server is shutting down
    ++pending_;       // the done notification is now armed
    proxy_->Spawn(cq_);
    start_ = absl::Now();
    if (Equals(ctx_.method(), kHealthCheck) || Equals(ctx_.method(), kHealthWatch)) {
      local_health_ = true;
      if (Equals(ctx_.method(), kHealthWatch)) {
        status_ = grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               "the gateway answers grpc.health.v1.Health/Check only");
        stream_.Finish(status_, Post(kClientFinish));
        return;
      }
      stream_.Read(&up_, Post(kClientRead));
      return;
    }
    const Metadata& md = ctx_.client_metadata();
    request_id_ = ValidRequestId(md);
    absl::string_view authorization, cert_subject;
    if (auto it = md.find("authorization"); it != md.end()) {
      authorization = absl::string_view(it->second.data(), it->second.size());
    }
    std::string subject;
    if (proxy_->tls_client_certs()) {
      auto auth = ctx_.auth_context();
      auto values = auth ? auth->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME)
                         : std::vector<grpc::string_ref>{};
      if (!values.empty()) subject.assign(values[0].data(), values[0].size());
      cert_subject = subject;
    }
    Gateway& gw = proxy_->gateway();
    absl::StatusOr<Admission> admission =
        gw.Admit(ctx_.method(), authorization, cert_subject, ctx_.peer());
    method_ = gw.methods().Find(ctx_.method());
    if (!admission.ok()) {
      role_ = "-";
      ctx_.AddInitialMetadata(auth::kRequestIdHeader, request_id_);
      status_ = server::ToGrpcStatus(admission.status());
      stream_.Finish(status_, Post(kClientFinish));
      return;
    }
    role_ = std::string(auth::RoleName(admission->principal.role));
    unary_ = method_->unary();
    client_ctx_ = grpc::ClientContext::FromServerContext(ctx_);
    SetBackendMetadata(*client_ctx_, &md, admission->principal, gw.internal_proof(), request_id_);
    // A unary request travels with its headers in one write.
    if (unary_) client_ctx_->set_initial_metadata_corked(true);
    call_ = method_->backend->stub->PrepareCall(client_ctx_.get(), ctx_.method(), cq_);
    // With corked metadata StartCall performs no operation and its tag never comes back.
    call_->StartCall(unary_ ? &tags_[kStart] : Post(kStart));
    if (unary_) {
      // One request, one response: read both ends at once; the backend's initial metadata
      // arrives with its response (or its status) and is copied then.
      stream_.Read(&up_, Post(kClientRead));
      call_->Read(&down_, Post(kBackendRead));
    }
  }

  // The gateway answers health checks itself, on its own queue: gRPC's default health service
  // runs on the callback API, whose extra polling threads took a third of the gateway's CPU
  // and added a thread hop to every forwarded call (docs/benchmarks.md, issue 8).
  void AnswerHealth(bool ok) {
    grpc::health::v1::HealthCheckRequest request;
    if (!ok || !grpc::SerializationTraits<grpc::health::v1::HealthCheckRequest>::Deserialize(
                    &up_, &request)
                    .ok()) {
      status_ = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unreadable HealthCheckRequest");
      stream_.Finish(status_, Post(kClientFinish));
      return;
    }
    // The gateway has one status for the whole process, under "" and under the services'
    // readiness name, so probes written for the backends work here too.
    if (!request.service().empty() && request.service() != "readiness") {
      status_ = grpc::Status(grpc::StatusCode::NOT_FOUND,
                             absl::StrCat("unknown health service \"", request.service(), "\""));
      stream_.Finish(status_, Post(kClientFinish));
      return;
    }
    grpc::health::v1::HealthCheckResponse response;
    response.set_status(proxy_->serving() ? grpc::health::v1::HealthCheckResponse::SERVING
                                          : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    bool own_buffer = false;
    (void)grpc::SerializationTraits<grpc::health::v1::HealthCheckResponse>::Serialize(
        response, &down_, &own_buffer);
    stream_.WriteAndFinish(down_, grpc::WriteOptions(), grpc::Status::OK, Post(kClientFinish));
  }

  void CopyInitialMetadata() {
    if (initial_copied_) return;
    initial_copied_ = true;
    bool has_id = false;
    for (const auto& [k, v] : client_ctx_->GetServerInitialMetadata()) {
      if (IsTransportKey(k)) continue;
      has_id = has_id || Equals(k, auth::kRequestIdHeader);
      ctx_.AddInitialMetadata(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
    if (!has_id) ctx_.AddInitialMetadata(auth::kRequestIdHeader, request_id_);
  }

  // The client went away: stop the backend and collect its status.
  void AbandonBackend() {
    client_ctx_->TryCancel();
    FinishBackend();
  }

  void FinishBackend() {
    if (finishing_) return;
    finishing_ = true;
    call_->Finish(&status_, Post(kBackendFinish));
  }

  void OnBackendFinish() {
    CopyInitialMetadata();
    for (const auto& [k, v] : client_ctx_->GetServerTrailingMetadata()) {
      if (IsTransportKey(k)) continue;
      ctx_.AddTrailingMetadata(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
    // A backend that cancels a call its caller did not cancel is going away (a drain cancels
    // calls it accepted but had not started): to the caller that is UNAVAILABLE, safe to retry
    // with the same request id, not a cancellation of its own.
    if (status_.error_code() == grpc::StatusCode::CANCELLED && !downstream_cancelled_) {
      status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "the backend stopped while handling the call; retry it");
    }
    if (unary_ && got_response_ && status_.ok()) {
      stream_.WriteAndFinish(down_, grpc::WriteOptions(), status_, Post(kClientFinish));
    } else {
      stream_.Finish(status_, Post(kClientFinish));
    }
  }

  void OnClientFinish() {
    if (local_health_) return;  // probes every few seconds: neither metrics nor log lines
    double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    Gateway& gw = proxy_->gateway();
    int code = static_cast<int>(status_.error_code());
    if (method_) {
      gw.metrics().Record(method_, code, seconds);
    } else {
      gw.metrics().RecordUnknown(code);
    }
    if (!log::Enabled(log::Level::kInfo)) return;  // spare the fields' strings
    log::Info("call", {{"request_id", request_id_},
                       {"method", method_ ? method_->label : "unknown"},
                       {"code", server::GrpcCodeName(code)},
                       {"backend", method_ && method_->backend ? method_->backend->name : "-"},
                       {"role", role_},
                       {"ms", absl::StrCat(static_cast<int64_t>(seconds * 1e6) / 1e3)}});
  }

  Proxy* proxy_;
  grpc::ServerCompletionQueue* cq_;
  Tag tags_[kOpCount];
  int pending_ = 0;
  grpc::GenericServerContext ctx_;
  grpc::GenericServerAsyncReaderWriter stream_;
  std::unique_ptr<grpc::ClientContext> client_ctx_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer up_, down_;
  grpc::Status status_;
  bool downstream_cancelled_ = false;
  MethodInfo* method_ = nullptr;
  std::string request_id_, role_;
  absl::Time start_;
  bool unary_ = false, finishing_ = false, got_response_ = false, initial_copied_ = false;
  bool local_health_ = false;
};

}  // namespace

bool IsTransportKey(grpc::string_ref key) {
  return StartsWith(key, ":") || StartsWith(key, "grpc-") || Equals(key, "te") ||
         Equals(key, "content-type") || Equals(key, "content-length");
}

void SetBackendMetadata(grpc::ClientContext& context, const Metadata* client_metadata,
                        const auth::Principal& principal, const std::string& proof,
                        const std::string& request_id) {
  if (client_metadata) {
    for (const auto& [k, v] : *client_metadata) {
      if (IsStrippedRequestKey(k)) continue;
      context.AddMetadata(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
  }
  context.AddMetadata(auth::kPrincipalHeader, auth::EncodePrincipal(principal));
  context.AddMetadata(auth::kInternalProofHeader, proof);
  context.AddMetadata(auth::kRequestIdHeader, request_id);
}

void Proxy::Spawn(grpc::ServerCompletionQueue* cq) {
  if (shutting_down_.load()) return;
  (new ProxyCall(this, cq))->Accept(service_.get());
}

absl::StatusOr<std::unique_ptr<Proxy>> Proxy::Start(Gateway& gateway, const GatewayOptions& options,
                                                    int* port) {
  std::unique_ptr<Proxy> proxy(new Proxy(gateway));
  grpc::EnableDefaultHealthCheckService(false);  // answered by ProxyCall::AnswerHealth
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (options.tls) {
    grpc::SslServerCredentialsOptions ssl(
        options.tls->client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            // Browsers and token holders have no certificate: ask for one, verify it when given.
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls->client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({options.tls->key_pem, options.tls->cert_pem});
    creds = grpc::SslServerCredentials(ssl);
    proxy->tls_client_certs_ = !options.tls->client_ca_pem.empty();
  }
  builder.AddListeningPort(options.listen, creds, port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000);
  proxy->service_ = std::make_unique<grpc::AsyncGenericService>();
  builder.RegisterAsyncGenericService(proxy->service_.get());
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    proxy->cqs_.push_back(builder.AddCompletionQueue());
  }
  proxy->server_ = builder.BuildAndStart();
  if (!proxy->server_ || *port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  for (auto& cq : proxy->cqs_) {
    grpc::ServerCompletionQueue* q = cq.get();
    for (int i = 0; i < kAcceptSlotsPerQueue; ++i) proxy->Spawn(q);
    proxy->threads_.emplace_back([q] {
      void* tag;
      bool ok;
      while (q->Next(&tag, &ok)) ProxyCall::Dispatch(tag, ok);
    });
  }
  return proxy;
}

void Proxy::Shutdown(absl::Duration drain) {
  if (threads_.empty()) return;
  // New calls are refused at once; calls in flight get `drain` to finish, then are cancelled
  // (their backend calls are cancelled with them through the done notification).
  shutting_down_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(drain));
  // Accepting slots come back unmatched and backend halves finish; wait until no call is left
  // before the queues close, since a queue must not be closed under a call that still posts.
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (live.load() > 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  for (auto& cq : cqs_) cq->Shutdown();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Proxy::Proxy(Gateway& gateway) : gateway_(gateway) {}

Proxy::~Proxy() { Shutdown(absl::ZeroDuration()); }

}  // namespace zhigai::gateway
