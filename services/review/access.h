// Who may see and do what (row-level scoping). Pure: principals and stored messages only.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

// The bureau that runs the call: the city bureau for CITY calls (R4.1), the county bureau of
// the division for COUNTY calls (R4.2). PERMISSION_DENIED otherwise.
absl::Status MayManageCall(const auth::Principal& who, const v1::Call& call);

// Bureaus that see a call's applications: its manager, and the city bureau for county calls
// (R4.2 county lists are visible to the city).
bool IsOverseer(const auth::Principal& who, const v1::Call& call);

// The applicant institution itself, or a member of its consortium.
bool IsApplicant(const auth::Principal& who, const v1::Application& app);

// Experts see an application without its contact people's data (personal data stays with the
// bureau and the applicant).
void RedactForExpert(v1::Application* app);

// Resource names.
absl::StatusOr<int64_t> ParseCallName(const std::string& name, const std::string& field);
struct ApplicationRef {
  int64_t call_id = 0;
  int64_t id = 0;
};
// "calls/{c}/applications/{a}" followed by `suffix` (e.g. "/checklist" or "").
absl::StatusOr<ApplicationRef> ParseApplicationName(const std::string& name,
                                                    const std::string& field,
                                                    const std::string& suffix = "");
// "calls/{c}/applications/{a}/documents/{d}"
struct DocumentRef {
  ApplicationRef application;
  int64_t id = 0;
};
absl::StatusOr<DocumentRef> ParseDocumentName(const std::string& name, const std::string& field);
// "calls/{c}/objections/{o}"
absl::StatusOr<std::pair<int64_t, int64_t>> ParseObjectionName(const std::string& name,
                                                               const std::string& field);
absl::StatusOr<int64_t> ParseExpertName(const std::string& name, const std::string& field);

}  // namespace zhigai::review
