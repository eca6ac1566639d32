#include "services/gateway/authn.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/server/log.h"

namespace zhigai::gateway {
namespace {

constexpr size_t kMaxCachedTokens = 10000;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status Refuse(absl::string_view reason, absl::string_view english,
                    absl::string_view chinese = "身份认证失败") {
  return Error(absl::StatusCode::kUnauthenticated, reason, english, chinese);
}

std::string Stamp(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "";
  return absl::StrCat(st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
}

std::string ClaimString(const nlohmann::json& claims, const std::string& name) {
  if (name.empty()) return "";
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// SERVICE is the role of zhigai's own services calling each other directly, never through the
// gateway, and the policy opens writes to it (ImposeSanction, AdmitToDirectory). No outside
// caller may become it (issue 22 item 10), so a mapping that would grant it stops the start.
absl::Status InternalRoleRefused(absl::string_view where) {
  return absl::InvalidArgumentError(
      absl::StrCat(where,
                   ": SERVICE is zhigai's internal role; no token or client certificate may map "
                   "to it (services call each other directly, not through the gateway)"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwksFile>> JwksFile::Open(std::string path) {
  std::unique_ptr<JwksFile> file(new JwksFile(std::move(path)));
  RETURN_IF_ERROR(file->Reload(true));
  return file;
}

absl::Status JwksFile::Reload(bool first) {
  std::string stamp = Stamp(path_);
  if (!first && stamp == stamp_) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto text, ReadFile(path_));
  auto keys = KeySet::FromJwks(text);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", keys.status().message()));
  }
  keys_ = std::make_shared<const KeySet>(std::move(*keys));
  stamp_ = stamp;
  generation_.fetch_add(1);
  if (!first) log::Info("jwks reloaded", {{"file", path_}, {"keys", absl::StrCat(keys_->size())}});
  return absl::OkStatus();
}

std::shared_ptr<const KeySet> JwksFile::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = absl::Now();
  if (now >= next_check_) {
    next_check_ = now + absl::Seconds(1);
    absl::Status s = Reload(false);
    if (!s.ok() && !reload_failing_.load()) {
      log::Warn("jwks not reloaded; keeping the keys loaded before",
                {{"error", std::string(s.message())}});
    }
    reload_failing_.store(!s.ok());
  }
  return keys_;
}

absl::StatusOr<ClaimsMapping> ClaimsMapping::Parse(absl::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("the claims mapping must be a JSON object");
  }
  ClaimsMapping m;
  for (auto [key, field] :
       {std::pair{"subject_claim", &m.subject_claim}, std::pair{"role_claim", &m.role_claim},
        std::pair{"credit_code_claim", &m.credit_code_claim},
        std::pair{"division_claim", &m.division_claim}}) {
    if (!doc.contains(key)) continue;
    if (!doc[key].is_string())
      return absl::InvalidArgumentError(absl::StrCat(key, " must be a string"));
    *field = doc[key].get<std::string>();
  }
  if (!doc.contains("roles") || !doc["roles"].is_object() || doc["roles"].empty()) {
    return absl::InvalidArgumentError("the claims mapping needs a non-empty \"roles\" object");
  }
  for (const auto& [value, role_name] : doc["roles"].items()) {
    auto role =
        role_name.is_string() ? auth::RoleFromName(role_name.get<std::string>()) : std::nullopt;
    if (!role) return absl::InvalidArgumentError(absl::StrCat("roles.", value, ": unknown role"));
    if (*role == auth::Role::kPublic) {
      return absl::InvalidArgumentError(
          "a token never maps to PUBLIC (that is the absence of one)");
    }
    if (*role == auth::Role::kService) return InternalRoleRefused(absl::StrCat("roles.", value));
    m.roles[value] = *role;
  }
  return m;
}

absl::StatusOr<ClaimsMapping> ClaimsMapping::Load(const std::string& path) {
  ASSIGN_OR_RETURN(auto text, ReadFile(path));
  auto m = Parse(text);
  if (!m.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", m.status().message()));
  return m;
}

absl::StatusOr<auth::Principal> ClaimsMapping::Map(const nlohmann::json& claims) const {
  std::vector<std::string> values;
  if (auto it = claims.find(role_claim); it != claims.end()) {
    if (it->is_string()) values.push_back(it->get<std::string>());
    if (it->is_array()) {
      for (const auto& v : *it) {
        if (v.is_string()) values.push_back(v.get<std::string>());
      }
    }
  }
  std::optional<auth::Role> role;
  for (const auto& v : values) {
    auto found = roles.find(v);
    if (found == roles.end()) continue;
    if (role && *role != found->second) {
      return Refuse("TOKEN_AMBIGUOUS_ROLE", "the token carries more than one zhigai role",
                    "身份令牌包含多个角色");
    }
    role = found->second;
  }
  if (!role)
    return Refuse("TOKEN_NO_ROLE", "the token carries no zhigai role", "身份令牌未包含角色");
  auth::Principal p;
  p.role = *role;
  p.subject = ClaimString(claims, subject_claim);
  p.credit_code = ClaimString(claims, credit_code_claim);
  p.division_code = ClaimString(claims, division_claim);
  // The backends insist on a complete principal; refuse here rather than forward a token they
  // would reject with a less helpful message.
  if (auto checked = auth::DecodePrincipal(auth::EncodePrincipal(p)); !checked.ok()) {
    return Refuse("TOKEN_INCOMPLETE", checked.status().message(), "身份令牌信息不完整");
  }
  return p;
}

absl::StatusOr<CertTable> ParseCertTable(absl::string_view text) {
  CertTable table;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 3 || f.size() > 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "certificate table line ", line_no, ": subject, role, sub[, credit code[, division]]"));
    }
    f.resize(5);
    auto role = auth::RoleFromName(f[1]);
    if (!role || *role == auth::Role::kPublic) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate table line ", line_no, ": unknown role ", f[1]));
    }
    if (*role == auth::Role::kService) {
      return InternalRoleRefused(absl::StrCat("certificate table line ", line_no));
    }
    auth::Principal p{*role, f[2], f[3], f[4]};
    if (auto ok = auth::DecodePrincipal(auth::EncodePrincipal(p)); !ok.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate table line ", line_no, ": ", ok.status().message()));
    }
    if (!table.emplace(f[0], p).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("certificate table line ", line_no, ": subject listed twice"));
    }
  }
  return table;
}

absl::StatusOr<CertTable> LoadCertTable(const std::string& path) {
  ASSIGN_OR_RETURN(auto text, ReadFile(path));
  auto table = ParseCertTable(text);
  if (!table.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", table.status().message()));
  return table;
}

Authenticator::Authenticator(std::unique_ptr<JwksFile> jwks, AuthnOptions options)
    : jwks_(std::move(jwks)), options_(std::move(options)) {}

absl::StatusOr<auth::Principal> Authenticator::Authenticate(absl::string_view authorization,
                                                            absl::string_view cert_subject,
                                                            absl::Time now) {
  return Authenticate(authorization, cert_subject, now, [] { return true; });
}

absl::StatusOr<auth::Principal> Authenticator::Authenticate(
    absl::string_view authorization, absl::string_view cert_subject, absl::Time now,
    absl::FunctionRef<bool()> may_check_signature) {
  if (!authorization.empty()) {
    // RFC 6750: the scheme is case-insensitive.
    if (authorization.size() < 7 ||
        !absl::EqualsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
      return Refuse("CREDENTIAL_UNSUPPORTED", "only Bearer tokens are accepted");
    }
    absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(7));
    return FromToken(token, now, may_check_signature);
  }
  if (!cert_subject.empty()) {
    auto it = options_.certs.find(std::string(cert_subject));
    if (it == options_.certs.end()) {
      return Refuse("CERTIFICATE_NOT_MAPPED",
                    absl::StrCat("client certificate ", cert_subject, " is not in the table"),
                    "客户端证书未登记");
    }
    return it->second;
  }
  return auth::Principal::Anonymous();
}

absl::StatusOr<auth::Principal> Authenticator::FromToken(
    absl::string_view token, absl::Time now, absl::FunctionRef<bool()> may_check_signature) {
  if (!jwks_) return Refuse("TOKEN_UNKNOWN_KEY", "this gateway accepts no bearer tokens");
  auto keys = jwks_->Current();
  uint64_t generation = jwks_->generation();
  std::string key(token);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.generation == generation && now < it->second.valid_until) {
      return it->second.principal;
    }
  }
  if (!may_check_signature()) {
    return Error(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
                 "too many calls without a valid token from this address; slow down and retry",
                 "请求过于频繁，请稍后重试");
  }
  ASSIGN_OR_RETURN(auto claims, VerifyJwt(token, *keys, options_.jwt, now));
  auto principal = options_.claims.Map(claims);
  if (!principal.ok()) return principal.status();
  // Cache until exp (plus the skew the check allows): nbf has passed already.
  absl::Time valid_until =
      absl::FromUnixSeconds((claims)["exp"].get<int64_t>()) + options_.jwt.clock_skew;
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  cache_[key] = Cached{*principal, valid_until, generation};
  return principal;
}

}  // namespace zhigai::gateway
