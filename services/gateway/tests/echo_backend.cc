#include "services/gateway/tests/echo_backend.h"

#include <grpcpp/generic/async_generic_service.h>

#include <thread>

#include "zhigai/gatewaytest/v1/echo.grpc.pb.h"

namespace zhigai::gateway::testing {
namespace {

namespace v1 = zhigai::gatewaytest::v1;

void FillMetadata(const grpc::ServerContextBase& ctx, v1::EchoResponse* resp) {
  for (const auto& [k, v] : ctx.client_metadata()) {
    (*resp->mutable_metadata())[std::string(k.data(), k.size())] = std::string(v.data(), v.size());
  }
}

class EchoImpl final : public v1::EchoService::Service {
 public:
  explicit EchoImpl(EchoBackend* owner) : owner_(owner) {}

  grpc::Status Echo(grpc::ServerContext* ctx, const v1::EchoRequest* req,
                    v1::EchoResponse* resp) override {
    owner_->Record("Echo", *ctx);
    if (req->fail_code() != 0) {
      ctx->AddTrailingMetadata("x-echo-trailer", "failed");
      return grpc::Status(static_cast<grpc::StatusCode>(req->fail_code()), req->text());
    }
    ctx->AddInitialMetadata("x-echo-initial", "hello");
    ctx->AddTrailingMetadata("x-echo-trailer", "bye");
    resp->set_text(req->text());
    if (!owner_->quiet()) FillMetadata(*ctx, resp);
    return grpc::Status::OK;
  }

  grpc::Status Collect(grpc::ServerContext* ctx, grpc::ServerReader<v1::EchoRequest>* reader,
                       v1::EchoResponse* resp) override {
    owner_->Record("Collect", *ctx);
    v1::EchoRequest req;
    std::string joined;
    while (reader->Read(&req)) joined += req.text();
    resp->set_text(joined);
    return grpc::Status::OK;
  }

  grpc::Status Count(grpc::ServerContext* ctx, const v1::CountRequest* req,
                     grpc::ServerWriter<v1::EchoResponse>* writer) override {
    owner_->Record("Count", *ctx);
    for (int i = 0; i < req->count(); ++i) {
      if (ctx->IsCancelled()) {
        owner_->cancelled_++;
        return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      }
      v1::EchoResponse resp;
      resp.set_index(i);
      if (!writer->Write(resp)) break;
      if (req->interval_ms() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(req->interval_ms()));
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status Chat(grpc::ServerContext* ctx,
                    grpc::ServerReaderWriter<v1::EchoResponse, v1::EchoRequest>* stream) override {
    owner_->Record("Chat", *ctx);
    v1::EchoRequest req;
    int i = 0;
    while (stream->Read(&req)) {
      if (req.fail_code() != 0) {
        return grpc::Status(static_cast<grpc::StatusCode>(req.fail_code()), req.text());
      }
      v1::EchoResponse resp;
      resp.set_text(req.text());
      resp.set_index(i++);
      stream->Write(resp);
    }
    return grpc::Status::OK;
  }

  grpc::Status Hang(grpc::ServerContext* ctx, const v1::EchoRequest*, v1::EchoResponse*) override {
    owner_->Record("Hang", *ctx);
    owner_->hanging_++;
    while (!ctx->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    owner_->cancelled_++;
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }

 private:
  EchoBackend* owner_;
};

// Any other method: consume the requests, answer one empty message (it parses as any type).
class CatchAll final : public grpc::CallbackGenericService {
 public:
  explicit CatchAll(EchoBackend* owner) : owner_(owner) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    owner_->Record(ctx->method(), *ctx);
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      Reactor() {
        grpc::Slice empty("");
        out_ = grpc::ByteBuffer(&empty, 1);  // a default ByteBuffer is not a valid message
        StartRead(&in_);
      }
      void OnReadDone(bool ok) override {
        if (ok) {
          StartRead(&in_);
          return;
        }
        StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnWriteDone(bool) override {}
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer in_, out_;
    };
    return new Reactor();
  }

 private:
  EchoBackend* owner_;
};

}  // namespace

EchoBackend::EchoBackend(const std::string& listen, bool quiet, int max_connection_age_ms)
    : quiet_(quiet) {
  echo_ = std::make_unique<EchoImpl>(this);
  generic_ = std::make_unique<CatchAll>(this);
  grpc::ServerBuilder builder;
  if (max_connection_age_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, max_connection_age_ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 10000);
  }
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(echo_.get());
  builder.RegisterCallbackGenericService(generic_.get());
  server_ = builder.BuildAndStart();
}

EchoBackend::~EchoBackend() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

void EchoBackend::Record(const std::string& method, const grpc::ServerContextBase& ctx) {
  if (quiet_) return;
  Received r;
  r.method = method;
  for (const auto& [k, v] : ctx.client_metadata()) {
    r.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  received_.push_back(std::move(r));
}

std::vector<Received> EchoBackend::received() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

void EchoBackend::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  received_.clear();
}

}  // namespace zhigai::gateway::testing
