// Hot unary methods served on completion-queue threads (gRPC's async API) instead of the sync
// server's thread manager. A cached read takes a few microseconds; on the sync server each call
// also wakes a second poller thread and hands the call over, which cost about half the
// registry's CPU per call in the kernel's scheduler (issue 2, docs/benchmarks.md). Here the
// thread that reads the request answers it; an answer that needs PostgreSQL goes to a small
// pool of blocking threads so the queue threads never wait on I/O.
//
// A service opts in by marking methods raw in its generated base (WithRawMethod_X), mixing in
// CompletionQueueServing and calling ServeAnswer (or ServeAsync) for each such method;
// StartServer finds the mix-in and attaches and starts it, and its ServerPtr stops it. Raw, not
// typed async: a typed async method whose request does not parse is answered by gRPC with a bare
// INTERNAL, while here the mix-in parses the bytes itself and answers INVALID_ARGUMENT, as the sync
// methods do.
#pragma once

#include <grpcpp/completion_queue.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/async_unary_call.h>
#include <grpcpp/support/byte_buffer.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "google/protobuf/message_lite.h"
#include "libs/server/blocking_pool.h"
#include "libs/server/grpc_status.h"
#include "libs/server/serve.h"

namespace grpc {
class ServerBuilder;
}

namespace zhigai::server {

// Protobuf <-> gRPC byte buffer with gRPC's public buffer reader and slices (the generated
// code's serialisation traits live in gRPC's internal codegen headers). Parse consumes `in`.
bool ParseMessage(grpc::ByteBuffer* in, google::protobuf::MessageLite* message);
bool SerializeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* out);

template <class Request, class Response>
using FastAnswer =
    std::function<std::optional<grpc::Status>(grpc::ServerContext*, const Request&, Response*)>;
// The RequestX member of a generated WithRawMethod_X base.
template <class Service>
using RawRequest = void (Service::*)(grpc::ServerContext*, grpc::ByteBuffer*,
                                     grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>*,
                                     grpc::CompletionQueue*, grpc::ServerCompletionQueue*, void*);
template <class Request, class Response>
using FullAnswer = std::function<grpc::Status(grpc::ServerContext*, const Request&, Response*)>;

class CompletionQueueServing {
 public:
  virtual ~CompletionQueueServing() { StopServing(); }

  // Before the server is built: one completion queue per queue thread.
  void AttachTo(grpc::ServerBuilder& builder);
  // After the server has started: arms every method and starts the threads.
  void StartServing();
  // After the server has shut down and before it is deleted (gRPC requires that order; the
  // ServerPtr from StartServer keeps it): finishes the blocking work, drains the queues and
  // joins the threads. Idempotent. gRPC lets a service with async
  // methods serve one server only: a restarted server needs a new service object.
  void StopServing();

 protected:
  CompletionQueueServing(int queue_threads, int blocking_threads)
      : queue_threads_(queue_threads), blocking_threads_(blocking_threads) {}

  // `fast` answers from memory, or returns nullopt when the answer needs I/O; then `full`
  // answers on a blocking thread.
  template <class Request, class Response, class Service>
  void ServeAsync(std::type_identity_t<Service>* service, RawRequest<Service> request,
                  std::type_identity_t<FastAnswer<Request, Response>> fast,
                  std::type_identity_t<FullAnswer<Request, Response>> full) {
    methods_.push_back(std::make_unique<Method<Service, Request, Response>>(
        this, service, request, std::move(fast), std::move(full)));
  }

  // The usual pair for a handler written once as `answer(call, request, response, io)`: the
  // fast half reads the caller and runs it with Io::kMemoryOnly, the full half with kAllowed.
  template <class Request, class Response, class Service, class Answer>
  void ServeAnswer(std::type_identity_t<Service>* service, RawRequest<Service> request,
                   std::string proof, std::string method, Answer answer) {
    ServeAsync<Request, Response, Service>(
        service, request,
        [=](grpc::ServerContext* ctx, const Request& req, Response* resp) {
          return ServeFromMemory(ctx, proof, method, [&](const Call& call, core::Io io) {
            return answer(call, req, resp, io);
          });
        },
        [=](grpc::ServerContext* ctx, const Request& req, Response* resp) {
          return Serve(ctx, proof, method, [&](const Call& call) {
            return answer(call, req, resp, core::Io::kAllowed);
          });
        });
  }

 private:
  // What a queue thread does with a completed event.
  class Tag {
   public:
    virtual void Proceed(bool ok) = 0;

   protected:
    ~Tag() = default;
  };
  class MethodBase {
   public:
    virtual ~MethodBase() = default;
    virtual void Arm(grpc::ServerCompletionQueue* cq) = 0;
  };

  template <class Service, class Request, class Response>
  class Method final : public MethodBase {
   public:
    using RequestFn = void (Service::*)(grpc::ServerContext*, grpc::ByteBuffer*,
                                        grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>*,
                                        grpc::CompletionQueue*, grpc::ServerCompletionQueue*,
                                        void*);
    Method(CompletionQueueServing* owner, Service* service, RequestFn request,
           FastAnswer<Request, Response> fast, FullAnswer<Request, Response> full)
        : owner_(owner),
          service_(service),
          request_(request),
          fast_(std::move(fast)),
          full_(std::move(full)) {}
    void Arm(grpc::ServerCompletionQueue* cq) override { new Call(this, cq); }

   private:
    // One call from its request to its finish; deletes itself at the end.
    class Call final : public Tag {
     public:
      Call(Method* method, grpc::ServerCompletionQueue* cq)
          : method_(method), cq_(cq), responder_(&context_) {
        std::invoke(method->request_, method->service_, &context_, &in_, &responder_, cq, cq, this);
      }
      void Proceed(bool ok) override {
        if (!ok || finishing_) {  // finished, or the server is shutting down
          delete this;
          return;
        }
        CompletionQueueServing& owner = *method_->owner_;
        bool rearmed = owner.Rearm(method_, cq_);
        if (!ParseMessage(&in_, &request_)) {
          Finish(UnparsableRequest());
        } else if (auto answer = method_->fast_(&context_, request_, &response_)) {
          Finish(*answer);
        } else if (!rearmed) {
          Full();  // stopping: no pool
        } else {
          owner.pool_->Run([this] { Full(); });
        }
      }

     private:
      void Full() {
        response_.Clear();  // whatever the fast half may have begun
        Finish(method_->full_(&context_, request_, &response_));
      }
      void Finish(const grpc::Status& status) {
        finishing_ = true;
        grpc::ByteBuffer out;
        if (status.ok() && !SerializeMessage(response_, &out)) {
          responder_.FinishWithError(
              grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be serialised"),
              this);
          return;
        }
        responder_.Finish(out, status, this);
      }
      Method* method_;
      grpc::ServerCompletionQueue* cq_;
      grpc::ServerContext context_;
      grpc::ByteBuffer in_;
      Request request_;
      Response response_;
      grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder_;
      bool finishing_ = false;
    };

    CompletionQueueServing* owner_;
    Service* service_;
    RequestFn request_;
    FastAnswer<Request, Response> fast_;
    FullAnswer<Request, Response> full_;
  };

  // Arms the method's next call unless the queues are shutting down; false when they are.
  bool Rearm(MethodBase* method, grpc::ServerCompletionQueue* cq);
  void Loop(grpc::ServerCompletionQueue* cq);

  const int queue_threads_;
  const int blocking_threads_;
  std::vector<std::unique_ptr<MethodBase>> methods_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  std::unique_ptr<BlockingPool> pool_;
  // Readers: a queue thread arming a call. Writer: StopServing shutting the queues down, after
  // which nothing may be armed on them.
  absl::Mutex arm_mu_;
  bool stopping_ ABSL_GUARDED_BY(arm_mu_) = false;
};

}  // namespace zhigai::server
