// The commands FinishCall writes to the outbox for the registry (DESIGN.md flows): register
// the applicant when needed, then admit it to the year's directory. Ids are deterministic, so
// finishing twice (or a redelivery) never duplicates anything at the receiver.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "services/review/store.h"
#include "zhigai/registry/v1/registry.pb.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

inline constexpr char kRegistryTarget[] = "registry";

std::string RegisterCommandId(int64_t call_id, const std::string& credit_code);
std::string AdmitCommandId(int64_t call_id, const std::string& credit_code,
                           const std::string& direction);

// zhigai.registry.v1.CreateInstitutionRequest carrying the applicant's Attachment 1 snapshot; its
// request_id is the command id. The registry answers ALREADY_EXISTS when the institution is
// registered already, which the dispatcher counts as delivered.
outbox::Command RegisterCommand(int64_t call_id, const registry::v1::Institution& profile);

// The public notice of a call's selection, for the registry's feed of public changes (issue 25
// item 2). One per call: its id is "notice:<call id>".
outbox::Command NoticePublishedCommand(const v1::Call& call, int64_t call_id);

// zhigai.registry.v1.AdmitToDirectoryRequest for one direction at the call's level.
outbox::Command AdmitCommand(const v1::Call& call, int64_t call_id,
                             const std::string& application_name, const std::string& credit_code,
                             common::v1::Direction direction);

// Enqueues the admission commands of FinishCall once each applicant's registration is
// acknowledged by the registry. The outbox retries rows independently (a row in back-off lets
// later rows pass), so "registration enqueued first" alone would not keep it delivered first;
// waiting for the acknowledgement does, whatever the dispatcher's order. Idempotent and
// restartable: the admission rows written by FinishCall are the durable intent.
class AdmissionPromoter {
 public:
  AdmissionPromoter(ReviewStore& store, std::function<void()> on_enqueued,
                    absl::Duration poll = absl::Milliseconds(500))
      : store_(store), on_enqueued_(std::move(on_enqueued)), poll_(poll) {}
  ~AdmissionPromoter() { Stop(); }
  void Start();
  void Stop();
  // One pass; returns how many admission commands were enqueued.
  absl::StatusOr<int> RunOnce();

 private:
  ReviewStore& store_;
  std::function<void()> on_enqueued_;
  absl::Duration poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true;
  std::thread thread_;
};

}  // namespace zhigai::review
