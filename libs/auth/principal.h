// The caller as the gateway verified it. Backends read it from metadata that only the gateway
// may set: the principal header must come with the internal proof (a shared secret on the
// internal network), else the call is refused.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::auth {

// Roles of RULES.md, plus SERVICE for zhigai's own services calling each other (outbox
// deliveries, metric pulls), whose subject is the calling service's name.
enum class Role {
  kPublic,
  kCityBureau,
  kCountyBureau,
  kInstitution,
  kEnterprise,
  kExpert,
  kPolicyPlatform,
  kService,
};

absl::string_view RoleName(Role role);
std::optional<Role> RoleFromName(absl::string_view name);

struct Principal {
  Role role = Role::kPublic;
  std::string subject;        // stable id of the person or machine ("anonymous" for PUBLIC)
  std::string credit_code;    // INSTITUTION, ENTERPRISE (and an expert's employer)
  std::string division_code;  // COUNTY_BUREAU (330302 ...); CITY_BUREAU 330300

  bool IsBureau() const { return role == Role::kCityBureau || role == Role::kCountyBureau; }
  static Principal Anonymous() { return Principal{Role::kPublic, "anonymous", "", ""}; }
};

// Metadata keys. The gateway strips any a client sends and sets its own.
inline constexpr char kPrincipalHeader[] = "x-zhigai-principal";
inline constexpr char kInternalProofHeader[] = "x-zhigai-internal-proof";
inline constexpr char kRequestIdHeader[] = "x-request-id";

// "role=COUNTY_BUREAU;sub=u-17;code=;div=330302" with percent-encoded values: readable in logs
// of the internal hop and easy to set from `buf curl -H` while the gateway does not exist.
std::string EncodePrincipal(const Principal& principal);
absl::StatusOr<Principal> DecodePrincipal(absl::string_view header);

// Decides who the caller is from the two metadata values (absent = nullopt).
// No principal header → PUBLIC. A principal header without the right proof → UNAUTHENTICATED.
absl::StatusOr<Principal> Authenticate(std::optional<absl::string_view> principal_header,
                                       std::optional<absl::string_view> proof_header,
                                       absl::string_view expected_proof);

bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace zhigai::auth
