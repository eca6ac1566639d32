#include "services/gateway/gateway.h"

#include <grpcpp/grpcpp.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "services/gateway/http_json.h"
#include "services/gateway/proxy.h"
#include "services/gateway/static_files.h"

namespace zhigai::gateway {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrFormat("gw-%016x", rng());
}

Gateway::Gateway(GatewayOptions options) : options_(std::move(options)) {}

JwksFile* Gateway::jwks() const { return authn_->jwks(); }

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(GatewayOptions options) {
  // Every method the gateway can forward must have a policy decision: fail the start loudly.
  ASSIGN_OR_RETURN(auto services, ServicesOf(options.proto_files));
  RETURN_IF_ERROR(options.policy.CheckCovers(services));

  std::unique_ptr<Gateway> gw(new Gateway(std::move(options)));
  std::unique_ptr<JwksFile> jwks;
  if (!gw->options_.jwks_file.empty()) {
    ASSIGN_OR_RETURN(jwks, JwksFile::Open(gw->options_.jwks_file));
  }
  gw->authn_ = std::make_unique<Authenticator>(std::move(jwks), gw->options_.authn);
  gw->metrics_ = std::make_unique<Metrics>(gw->options_.metrics);
  gw->options_.backends.max_message_bytes = gw->options_.max_message_bytes;
  auto table = MethodTable::Build(gw->options_.policy, gw->options_.backends, *gw->metrics_);
  if (!table.ok()) return table.status();
  gw->methods_ = std::move(*table);

  // Before anything listens: a missing folder fails the start with nothing to undo.
  if (!gw->options_.http_listen.empty() && !gw->options_.public_dir.empty()) {
    auto pages = StaticFiles::Load(gw->options_.public_dir);
    if (!pages.ok()) return pages.status();
    gw->pages_ = std::move(*pages);
  }
  auto proxy = Proxy::Start(*gw, gw->options_, &gw->port_);
  if (!proxy.ok()) return proxy.status();
  gw->proxy_ = std::move(*proxy);
  if (!gw->options_.http_listen.empty()) {
    auto http =
        HttpJson::Start(*gw, gw->options_.http_listen, gw->options_.http_threads, gw->pages_.get());
    if (!http.ok()) {
      gw->proxy_->Shutdown(absl::ZeroDuration());
      return http.status();
    }
    gw->http_ = std::move(*http);
  }
  gw->SetServing(true);
  return gw;
}

Gateway::~Gateway() { Shutdown(absl::ZeroDuration()); }

int Gateway::live_calls() const { return proxy_ ? proxy_->live_calls.load() : 0; }

int Gateway::http_port() const { return http_ ? http_->port() : 0; }

void Gateway::SetServing(bool serving) {
  if (proxy_) proxy_->SetServing(serving);
}

void Gateway::Shutdown(absl::Duration drain) {
  if (shut_down_) return;
  shut_down_ = true;
  SetServing(false);
  if (http_) http_->Stop();
  if (proxy_) proxy_->Shutdown(drain);
}

absl::StatusOr<Admission> Gateway::Admit(absl::string_view method, absl::string_view authorization,
                                         absl::string_view cert_subject, absl::string_view peer) {
  absl::Time now = absl::Now();
  // Anonymous callers and refused tokens share the client's PUBLIC bucket, consulted before a
  // signature check and charged for each refused token (issue 22 item 11).
  auto principal = authn_->Authenticate(authorization, cert_subject, now, [&] {
    return options_.rate_limits.MayVerifyToken(peer, now);
  });
  if (!principal.ok()) {
    if (!authorization.empty() && principal.status().code() == absl::StatusCode::kUnauthenticated) {
      options_.rate_limits.ChargeRefusedToken(peer, now);
    }
    return principal.status();
  }
  Admission out;
  out.method = methods_->Find(method);
  out.principal = std::move(*principal);
  if (!out.method) {
    return Error(absl::StatusCode::kPermissionDenied, "METHOD_NOT_IN_POLICY",
                 absl::StrCat(method, " is not open through the gateway"), "该接口未开放");
  }
  if (!(out.method->roles & RoleBit(out.principal.role))) {
    if (out.principal.role == auth::Role::kPublic) {
      // An anonymous caller may succeed once signed in: say so rather than "forbidden".
      return Error(absl::StatusCode::kUnauthenticated, "LOGIN_REQUIRED",
                   absl::StrCat(out.method->label, " needs a signed-in caller"), "请先登录");
    }
    return Error(
        absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
        absl::StrCat(auth::RoleName(out.principal.role), " may not call ", out.method->label),
        "当前角色无权执行此操作");
  }
  if (!options_.rate_limits.Allow(out.principal, peer, now)) {
    return Error(absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
                 "too many calls; slow down and retry", "请求过于频繁，请稍后重试");
  }
  if (!out.method->backend) {
    return Error(absl::StatusCode::kUnavailable, "NO_BACKEND",
                 absl::StrCat("no backend serves ", out.method->label), "服务暂不可用");
  }
  return out;
}

}  // namespace zhigai::gateway
