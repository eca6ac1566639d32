#include "libs/auth/principal.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/errors.h"

namespace zhigai::auth {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 8> kRoles{{
    {Role::kPublic, "PUBLIC"},
    {Role::kCityBureau, "CITY_BUREAU"},
    {Role::kCountyBureau, "COUNTY_BUREAU"},
    {Role::kInstitution, "INSTITUTION"},
    {Role::kEnterprise, "ENTERPRISE"},
    {Role::kExpert, "EXPERT"},
    {Role::kPolicyPlatform, "POLICY_PLATFORM"},
    {Role::kService, "SERVICE"},
}};

std::string PercentEncode(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '@';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(absl::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

absl::Status Unauthenticated(absl::string_view english, absl::string_view chinese) {
  return Error(absl::StatusCode::kUnauthenticated, "PRINCIPAL_REJECTED", english, chinese);
}

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "PUBLIC";
}

std::optional<Role> RoleFromName(absl::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::string EncodePrincipal(const Principal& p) {
  return absl::StrCat("role=", RoleName(p.role), ";sub=", PercentEncode(p.subject),
                      ";code=", PercentEncode(p.credit_code),
                      ";div=", PercentEncode(p.division_code));
}

absl::StatusOr<Principal> DecodePrincipal(absl::string_view header) {
  Principal p;
  bool has_role = false, has_sub = false;
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    auto value = PercentDecode(kv.second);
    if (!value) return Unauthenticated("principal metadata is malformed", "身份信息格式错误");
    if (kv.first == "role") {
      auto role = RoleFromName(*value);
      if (!role) return Unauthenticated("principal metadata names an unknown role", "未知角色");
      p.role = *role;
      has_role = true;
    } else if (kv.first == "sub") {
      p.subject = *value;
      has_sub = !value->empty();
    } else if (kv.first == "code") {
      p.credit_code = *value;
    } else if (kv.first == "div") {
      p.division_code = *value;
    } else {
      return Unauthenticated("principal metadata has an unknown key", "身份信息格式错误");
    }
  }
  if (!has_role || !has_sub) {
    return Unauthenticated("principal metadata needs role and sub", "身份信息不完整");
  }
  if ((p.role == Role::kInstitution || p.role == Role::kEnterprise) && p.credit_code.empty()) {
    return Unauthenticated("an INSTITUTION or ENTERPRISE principal needs its credit code",
                           "机构或企业身份缺少统一社会信用代码");
  }
  if ((p.role == Role::kCountyBureau || p.role == Role::kCityBureau) && p.division_code.empty()) {
    return Unauthenticated("a bureau principal needs its division", "经信部门身份缺少行政区划");
  }
  return p;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ (b.empty() ? 0 : b[i % b.size()]);
  return diff == 0 && !b.empty();
}

absl::StatusOr<Principal> Authenticate(std::optional<absl::string_view> principal_header,
                                       std::optional<absl::string_view> proof_header,
                                       absl::string_view expected_proof) {
  if (!principal_header) return Principal::Anonymous();
  if (!proof_header || !ConstantTimeEquals(*proof_header, expected_proof)) {
    return Unauthenticated(
        "principal metadata is accepted only from the gateway (internal proof missing or wrong)",
        "身份信息只接受来自网关的请求");
  }
  return DecodePrincipal(*principal_header);
}

}  // namespace zhigai::auth
