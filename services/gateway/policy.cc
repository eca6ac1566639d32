#include "services/gateway/policy.h"

#include <google/protobuf/descriptor.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace zhigai::gateway {

std::vector<auth::Role> AllRoles() {
  using auth::Role;
  return {Role::kPublic,     Role::kCityBureau, Role::kCountyBureau,   Role::kInstitution,
          Role::kEnterprise, Role::kExpert,     Role::kPolicyPlatform, Role::kService};
}

absl::StatusOr<Policy> Policy::Parse(absl::string_view text) {
  Policy policy;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    // Tabs separate words as well as spaces.
    std::vector<absl::string_view> tokens;
    for (auto w : words) {
      for (auto t : absl::StrSplit(w, '\t', absl::SkipWhitespace())) tokens.push_back(t);
    }
    if (tokens.empty()) continue;
    auto where = [&] { return absl::StrCat("policy line ", line_no, ": "); };
    absl::string_view method = tokens[0];
    std::vector<absl::string_view> parts = absl::StrSplit(method, '/');
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty() ||
        !absl::StrContains(parts[0], '.')) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "'", method, "' is not <package>.<Service>/<Method>"));
    }
    if (tokens.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), method, " names no role (write '-' to open it to none)"));
    }
    RoleSet roles = 0;
    bool closed = false;
    for (size_t i = 1; i < tokens.size(); ++i) {
      if (tokens[i] == "-") {
        closed = true;
        continue;
      }
      auto role = auth::RoleFromName(tokens[i]);
      if (!role) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "unknown role ", tokens[i]));
      }
      roles |= RoleBit(*role);
    }
    if (closed && roles != 0) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "'-' cannot be mixed with roles"));
    }
    std::string key = absl::StrCat("/", method);
    if (!policy.rules_.emplace(key, roles).second) {
      return absl::InvalidArgumentError(absl::StrCat(where(), method, " is listed twice"));
    }
  }
  return policy;
}

absl::StatusOr<Policy> Policy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the policy file ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto policy = Parse(text.str());
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

RoleSet Policy::RolesFor(absl::string_view method) const {
  auto it = rules_.find(method);
  return it == rules_.end() ? 0 : it->second;
}

std::vector<std::string> Policy::Methods() const {
  std::vector<std::string> out;
  for (const auto& [m, roles] : rules_) out.push_back(m);
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status Policy::CheckCovers(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) const {
  std::vector<std::string> missing;
  for (const auto* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      std::string path = absl::StrCat("/", service->full_name(), "/", service->method(i)->name());
      if (!rules_.contains(path)) missing.push_back(path.substr(1));
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the policy file has no line for ", missing.size(),
                   " method(s) the gateway forwards: ", absl::StrJoin(missing, ", ")));
}

absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> ServicesOf(
    const std::vector<std::string>& proto_files) {
  std::vector<const google::protobuf::ServiceDescriptor*> out;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : proto_files) {
    const auto* file = pool->FindFileByName(name);
    if (!file) return absl::InternalError(absl::StrCat("proto ", name, " is not linked"));
    for (int i = 0; i < file->service_count(); ++i) {
      const auto* service = file->service(i);
      // Only the project's own API packages are forwarded and need policy lines.
      if (absl::StartsWith(service->full_name(), "zhigai.") &&
          absl::StrContains(service->full_name(), ".v1.")) {
        out.push_back(service);
      }
    }
  }
  return out;
}

}  // namespace zhigai::gateway
