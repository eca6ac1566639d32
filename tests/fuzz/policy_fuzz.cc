// The gateway's policy file. Invariants: parsing never crashes; a parsed policy written back
// in the file's own form parses to the same rules (nothing is lost or widened); every listed
// method is "/<package>.<Service>/<Method>"; Allows agrees with RolesFor; an unlisted method
// is open to no role (default deny).
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/gateway/policy.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace gw = zhigai::gateway;

std::string Write(const gw::Policy& policy) {
  std::string out;
  for (const auto& method : policy.Methods()) {
    absl::StrAppend(&out, method.substr(1));
    gw::RoleSet roles = policy.RolesFor(method);
    if (roles == 0) absl::StrAppend(&out, " -");
    for (auto role : gw::AllRoles()) {
      if (roles & gw::RoleBit(role)) absl::StrAppend(&out, " ", zhigai::auth::RoleName(role));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto policy = gw::Policy::Parse(text);
  if (!policy.ok()) {
    Require(policy.status().code() == absl::StatusCode::kInvalidArgument, "not INVALID_ARGUMENT");
    Require(absl::StartsWith(policy.status().message(), "policy line "), "refusal names no line");
    return 0;
  }
  gw::RoleSet all = 0;
  for (auto role : gw::AllRoles()) all |= gw::RoleBit(role);
  for (const auto& method : policy->Methods()) {
    Require(policy->Lists(method), "Methods() and Lists() disagree");
    std::vector<absl::string_view> parts = absl::StrSplit(method.substr(1), '/');
    Require(method[0] == '/' && parts.size() == 2 && !parts[0].empty() && !parts[1].empty(),
            "a listed method is not /<package>.<Service>/<Method>");
    Require(method.find_first_of(" \t\n#") == std::string::npos, "a method holds a separator");
    gw::RoleSet roles = policy->RolesFor(method);
    Require((roles & ~all) == 0, "a rule grants an unknown role");
    for (auto role : gw::AllRoles()) {
      Require(policy->Allows(method, role) == ((roles & gw::RoleBit(role)) != 0),
              "Allows disagrees with RolesFor");
    }
  }
  Require(!policy->Lists("/zhigai.fuzz.v1.NoService/NoMethod") &&
              policy->RolesFor("/zhigai.fuzz.v1.NoService/NoMethod") == 0,
          "an unlisted method is open");
  auto again = gw::Policy::Parse(Write(*policy));
  Require(again.ok(), "a written policy does not parse");
  Require(again->Methods() == policy->Methods(), "methods changed by a round trip");
  for (const auto& method : policy->Methods()) {
    Require(again->RolesFor(method) == policy->RolesFor(method), "roles changed by a round trip");
  }
  return 0;
}
