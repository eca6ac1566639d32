// The outbox's gRPC transport: kept apart from the dispatcher so that the dispatcher links and
// runs without gRPC (its ThreadSanitizer test uses an in-process sender).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/outbox/outbox.h"

namespace zhigai::outbox {
namespace {

class GrpcSender : public CommandSender {
 public:
  explicit GrpcSender(const DispatcherOptions& options)
      : principal_(auth::EncodePrincipal({auth::Role::kService, options.service, "", ""})),
        proof_(options.internal_proof),
        peers_(options.peers),
        timeout_(options.call_timeout) {}

  void Send(const Command& command, std::function<void(absl::Status)> done) override {
    auto channel = ChannelFor(command.target);
    if (!channel) {
      done(absl::FailedPreconditionError(
          absl::StrCat("no address configured for peer '", command.target, "'")));
      return;
    }
    // Everything the call refers to lives until its completion callback, which frees it.
    struct Call {
      explicit Call(std::shared_ptr<grpc::Channel> channel) : stub(std::move(channel)) {}
      grpc::GenericStub stub;
      grpc::ClientContext ctx;
      grpc::ByteBuffer request, response;
      std::function<void(absl::Status)> done;
    };
    auto* call = new Call(std::move(channel));
    call->done = std::move(done);
    call->ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout_));
    call->ctx.set_wait_for_ready(false);
    call->ctx.AddMetadata(auth::kPrincipalHeader, principal_);
    call->ctx.AddMetadata(auth::kInternalProofHeader, proof_);
    call->ctx.AddMetadata(auth::kRequestIdHeader, command.command_id);
    grpc::Slice slice(command.payload);
    call->request = grpc::ByteBuffer(&slice, 1);
    call->stub.UnaryCall(&call->ctx, command.method, grpc::StubOptions(), &call->request,
                         &call->response, [call](grpc::Status st) {
                           std::unique_ptr<Call> owned(call);
                           owned->done(absl::Status(static_cast<absl::StatusCode>(st.error_code()),
                                                    st.error_message()));
                         });
  }

 private:
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& target) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = channels_.find(target);
    if (it != channels_.end()) return it->second;
    auto peer = peers_.find(target);
    if (peer == peers_.end()) return nullptr;
    auto channel = grpc::CreateChannel(peer->second, grpc::InsecureChannelCredentials());
    channels_[target] = channel;
    return channel;
  }

  const std::string principal_, proof_;  // the SERVICE principal, encoded once
  const std::map<std::string, std::string> peers_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace

std::unique_ptr<CommandSender> MakeGrpcSender(const DispatcherOptions& options) {
  return std::make_unique<GrpcSender>(options);
}

Dispatcher::Dispatcher(db::Pool& pool, DispatcherOptions options, prometheus::Registry* metrics)
    : Dispatcher(pool, options, MakeGrpcSender(options), metrics) {}

}  // namespace zhigai::outbox
