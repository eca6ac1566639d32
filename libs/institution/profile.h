// The rules of an institution's profile (Attachment 1), shared by the registry, which keeps
// profiles, and review, which checks the profile inside each application: validation of every
// field, which fields a caller may change, and what a caller may see. Pure (no I/O), on the
// registry's Institution message, which both services' APIs carry.
#pragma once

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "libs/core/refdata.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace google::protobuf {
class FieldMask;
}

namespace zhigai::institution {

namespace v1 = registry::v1;

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

}  // namespace zhigai::institution
