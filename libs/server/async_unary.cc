#include "libs/server/async_unary.h"

#include <grpcpp/server_builder.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/slice.h>

namespace zhigai::server {

bool ParseMessage(grpc::ByteBuffer* in, google::protobuf::MessageLite* message) {
  bool ok = false;
  {
    grpc::ProtoBufferReader reader(in);
    ok = reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
  }
  in->Clear();
  return ok;
}

bool SerializeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* out) {
  // One slice of the exact size, written in place (responses here are small reads).
  const size_t size = message.ByteSizeLong();
  grpc::Slice slice(size);
  uint8_t* end = message.SerializeWithCachedSizesToArray(const_cast<uint8_t*>(slice.begin()));
  if (end != slice.end()) return false;
  grpc::ByteBuffer buffer(&slice, 1);
  out->Swap(&buffer);
  return true;
}
namespace {
// Requests armed per method and queue at the start. Each call arms its successor as it
// arrives, so this only needs to cover a burst read from one socket before the thread gets to
// re-arm; calls beyond it wait in gRPC's own queue for the next armed request.
constexpr int kArmedPerQueue = 16;
}  // namespace

void CompletionQueueServing::AttachTo(grpc::ServerBuilder& builder) {
  for (int i = 0; i < queue_threads_; ++i) queues_.push_back(builder.AddCompletionQueue());
}

void CompletionQueueServing::StartServing() {
  pool_ = std::make_unique<BlockingPool>(blocking_threads_);
  for (auto& cq : queues_) {
    for (auto& m : methods_) {
      for (int i = 0; i < kArmedPerQueue; ++i) m->Arm(cq.get());
    }
    threads_.emplace_back([this, q = cq.get()] { Loop(q); });
  }
}

void CompletionQueueServing::StopServing() {
  if (queues_.empty()) return;
  // Blocking work first: it finishes calls, which posts to the queues.
  if (pool_) pool_->Stop();
  {
    absl::MutexLock lock(&arm_mu_);
    stopping_ = true;
    for (auto& cq : queues_) cq->Shutdown();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  queues_.clear();
  pool_.reset();
}

bool CompletionQueueServing::Rearm(MethodBase* method, grpc::ServerCompletionQueue* cq) {
  absl::ReaderMutexLock lock(&arm_mu_);
  if (stopping_) return false;
  method->Arm(cq);
  return true;
}

void CompletionQueueServing::Loop(grpc::ServerCompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) static_cast<Tag*>(tag)->Proceed(ok);
}

}  // namespace zhigai::server
