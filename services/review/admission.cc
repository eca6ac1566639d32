#include "services/review/admission.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/server/log.h"
#include "libs/wire/typed_time.h"
#include "services/review/wire.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::review {

std::string RegisterCommandId(int64_t call_id, const std::string& credit_code) {
  return absl::StrCat("register:", call_id, ":", credit_code);
}

std::string AdmitCommandId(int64_t call_id, const std::string& credit_code,
                           const std::string& direction) {
  return absl::StrCat("admit:", call_id, ":", credit_code, ":", direction);
}

outbox::Command RegisterCommand(int64_t call_id, const registry::v1::Institution& profile) {
  registry::v1::CreateInstitutionRequest req;
  const std::string id = RegisterCommandId(call_id, profile.credit_code());
  req.set_request_id(id);
  // The application files Attachment 1 as the registry's own message: sent as filed.
  *req.mutable_institution() = profile;
  return {id, kRegistryTarget, "/zhigai.registry.v1.RegistryService/CreateInstitution",
          req.SerializeAsString()};
}

outbox::Command NoticePublishedCommand(const v1::Call& call, int64_t call_id) {
  registry::v1::RecordPublicChangeRequest req;
  const std::string id = absl::StrCat("notice:", call_id);
  req.set_command_id(id);
  registry::v1::PublicChange* change = req.mutable_change();
  change->set_kind(registry::v1::NOTICE_PUBLISHED);
  change->set_resource(call.name());
  change->set_source_service("review");
  change->set_year(call.year());
  change->set_reason(absl::StrCat(
      call.scope() == common::v1::COUNTY ? absl::StrCat("county ", call.division_code()) : "city",
      " selection on public notice from ", wire::DateText(call.notice_start_date()), " to ",
      wire::DateText(call.notice_end_date())));
  return {id, kRegistryTarget, "/zhigai.registry.v1.RegistryService/RecordPublicChange",
          req.SerializeAsString()};
}

outbox::Command AdmitCommand(const v1::Call& call, int64_t call_id,
                             const std::string& application_name, const std::string& credit_code,
                             common::v1::Direction direction) {
  registry::v1::AdmitToDirectoryRequest req;
  const std::string id =
      AdmitCommandId(call_id, credit_code, common::v1::Direction_Name(direction));
  req.set_command_id(id);
  req.set_year(call.year());
  req.set_level(call.scope());
  req.set_division_code(call.scope() == common::v1::COUNTY ? call.division_code() : "");
  req.set_credit_code(credit_code);
  req.set_direction(direction);
  req.set_source(application_name);
  return {id, kRegistryTarget, "/zhigai.registry.v1.RegistryService/AdmitToDirectory",
          req.SerializeAsString()};
}

absl::StatusOr<int> AdmissionPromoter::RunOnce() {
  auto n = store_.PromoteAdmissions(
      100,
      [](const v1::Call& call, int64_t call_id,
         const AdmissionRow& row) -> absl::StatusOr<outbox::Command> {
        ASSIGN_OR_RETURN(auto direction, DirectionFromName(row.direction));
        return AdmitCommand(call, call_id, ApplicationName(call_id, row.application_id),
                            row.credit_code, DirectionToProto(direction));
      });
  if (n.ok() && *n > 0 && on_enqueued_) on_enqueued_();
  return n;
}

void AdmissionPromoter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stop_) return;
  stop_ = false;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto n = RunOnce();
      if (!n.ok()) {
        log::Warn("admission promotion failed", {{"error", std::string(n.status().message())}});
      }
      lock.lock();
      if (!stop_ && !(n.ok() && *n == 100)) cv_.wait_for(lock, absl::ToChronoNanoseconds(poll_));
    }
  });
}

void AdmissionPromoter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace zhigai::review
