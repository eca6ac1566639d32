// The commands FinishCall writes to the outbox for the registry (DESIGN.md flows): register
// the applicant when needed, then admit it to the year's directory. Ids are deterministic, so
// finishing twice (or a redelivery) never duplicates anything at the receiver.
#pragma once

#include <string>

#include "libs/outbox/outbox.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

inline constexpr char kRegistryTarget[] = "registry";

std::string RegisterCommandId(int64_t call_id, const std::string& credit_code);
std::string AdmitCommandId(int64_t call_id, const std::string& credit_code,
                           const std::string& direction);

// zhigai.registry.v1.CreateInstitutionRequest from the applicant's Attachment 1 snapshot; its
// request_id is the command id. The registry answers ALREADY_EXISTS when the institution is
// registered already, which the dispatcher counts as delivered.
outbox::Command RegisterCommand(int64_t call_id, const v1::ApplicantProfile& profile);

// zhigai.registry.v1.AdmitToDirectoryRequest for one direction at the call's level.
outbox::Command AdmitCommand(const v1::Call& call, int64_t call_id,
                             const std::string& application_name, const std::string& credit_code,
                             common::v1::Direction direction);

}  // namespace zhigai::review
