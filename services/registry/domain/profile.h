// Pure rules about an institution's profile: validation of every Attachment 1 field, which
// fields a caller may change, and what a caller may see.
#pragma once

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "libs/core/refdata.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace google::protobuf {
class FieldMask;
}

namespace zhigai::registry {

struct ReferenceData {
  core::IndustryCatalog industries;
  core::DivisionCatalog divisions;
};

// Checks every field; the answer lists all violations (field paths start with `prefix`).
absl::Status ValidateInstitution(const v1::Institution& institution, const ReferenceData& ref,
                                 absl::string_view prefix = "institution");

// Applies `patch` to `current` for the fields in `mask`, as `who` may. Unknown paths and
// fields the caller may not change are INVALID_ARGUMENT / PERMISSION_DENIED naming the field.
absl::StatusOr<v1::Institution> ApplyUpdate(const v1::Institution& current,
                                            const v1::Institution& patch,
                                            const google::protobuf::FieldMask& mask,
                                            const auth::Principal& who);

// Personal data (people's names, phones, e-mails) is for bureaus, zhigai's services and the
// institution itself.
bool MaySeePersonalData(const auth::Principal& who, absl::string_view credit_code);
void RedactPersonalData(v1::Institution* institution);

}  // namespace zhigai::registry
