// Authorisation: which roles may call which method. Default deny: a method without a line is
// refused with PERMISSION_DENIED. At start-up the policy must name every method of every
// zhigai.*.v1 service linked into the gateway, so a new method cannot ship without a decision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/auth/principal.h"

namespace google::protobuf {
class ServiceDescriptor;
}

namespace zhigai::gateway {

// A set of roles as a bit mask (bit = the Role's enum value).
using RoleSet = uint32_t;
inline RoleSet RoleBit(auth::Role role) { return RoleSet{1} << static_cast<int>(role); }
std::vector<auth::Role> AllRoles();

// The file, one method a line (blank lines and # comments ignored):
//   zhigai.registry.v1.RegistryService/GetInstitution  PUBLIC CITY_BUREAU INSTITUTION
//   zhigai.registry.v1.RegistryService/LiftSanction    CITY_BUREAU
//   zhigai.review.v1.ReviewService/InternalOnly        -        (listed, open to no role)
class Policy {
 public:
  static absl::StatusOr<Policy> Parse(absl::string_view text);
  static absl::StatusOr<Policy> Load(const std::string& path);

  // `method` as gRPC sends it: "/zhigai.registry.v1.RegistryService/GetInstitution".
  bool Lists(absl::string_view method) const { return rules_.contains(method); }
  RoleSet RolesFor(absl::string_view method) const;
  bool Allows(absl::string_view method, auth::Role role) const {
    return (RolesFor(method) & RoleBit(role)) != 0;
  }
  // The methods named in the file, in gRPC path form.
  std::vector<std::string> Methods() const;

  // Fails, naming every missing method, unless each method of each service has a line.
  absl::Status CheckCovers(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services) const;

 private:
  absl::flat_hash_map<std::string, RoleSet> rules_;
};

// The zhigai.*.v1 services of the proto files given (by file name, e.g.
// "zhigai/registry/v1/registry.proto") as found in the generated descriptor pool.
absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> ServicesOf(
    const std::vector<std::string>& proto_files);

}  // namespace zhigai::gateway
