// zhigai-gateway: settings and wiring only. The gateway has no database, so it does not use
// server::RunService; it follows the same conventions (settings, JSON logs, health and
// reflection, Prometheus endpoint, graceful drain on SIGTERM).
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/server/config.h"
#include "libs/server/host.h"
#include "libs/server/log.h"
#include "services/gateway/gateway.h"
#include "services/gateway/identity_metrics.h"
#include "services/gateway/linked_protos.h"
#include "services/gateway/tls_context.h"

namespace {

using zhigai::server::Config;
using zhigai::server::SettingSpec;

int Fail(const std::string& why) {
  std::fprintf(stderr, "gateway: %s\n", why.c_str());
  return 2;
}

std::vector<SettingSpec> Settings() {
  std::vector<SettingSpec> specs;
  // The common settings less the database ones: the gateway keeps no state.
  for (auto& s : zhigai::server::CommonSettings("gateway", 7100)) {
    if (s.name == "db" || s.name == "db_pool_size" || s.name == "migrate_only" ||
        s.name == "data_dir") {
      continue;
    }
    specs.push_back(std::move(s));
  }
  std::vector<SettingSpec> own = {
      {"http_listen", "HTTP/JSON address (empty = off)", std::string("0.0.0.0:7180")},
      {"public_dir", "the public pages served at / over HTTP (empty = none)",
       std::string("services/gateway/public")},
      {"policy_file", "method → roles policy", std::string("services/gateway/policy.txt")},
      {"jwks_file", "the identity provider's JWKS (empty = no bearer tokens accepted)",
       std::string("")},
      {"jwt_issuer", "required iss of bearer tokens", std::string("https://id.wenzhou.gov.cn")},
      {"jwt_audience", "required aud of bearer tokens", std::string("zhigai")},
      {"jwt_clock_skew_seconds", "tolerance on exp and nbf", std::string("60")},
      {"claims_mapping_file", "token claims → principal",
       std::string("services/gateway/claims.json")},
      {"tls_cert_file", "PEM certificate chain (empty = plaintext gRPC)", std::string("")},
      {"tls_key_file", "PEM private key of the certificate", std::string("")},
      {"tls_client_ca_file", "PEM CA for client certificates (mTLS; empty = none)",
       std::string("")},
      {"mtls_principals_file", "client certificate subject → principal (tab-separated)",
       std::string("")},
      {"rate_limits",
       "ROLE=<per second>/<burst>,... ('*' = other roles); PUBLIC is per client address (IPv6: "
       "its /64) and also pays for refused bearer tokens",
       std::string("PUBLIC=20/40,*=200/400")},
      {"max_message_bytes", "largest request or response message", std::string("4194304")},
      {"threads", "frame-proxy worker threads (one event loop each)", std::string("2")},
      {"http_threads", "HTTP/JSON worker threads", std::string("16")},
      {"max_connection_age_seconds",
       "a client connection's GOAWAY after about this long (±10 %), so clients re-resolve",
       std::string("300")},
  };
  specs.insert(specs.end(), own.begin(), own.end());
  return specs;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zhigai;
  server::PrepareServingProcess();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto specs = Settings();
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::printf("zhigai gateway\n%s", Config::Usage(specs).c_str());
      return 0;
    }
  }
  auto config = Config::Parse(specs, argc, argv, server::ProcessEnvironment());
  if (!config.ok()) return Fail(std::string(config.status().message()));
  log::Level level;
  if (!log::ParseLevel(config->Get("log_level"), &level)) {
    return Fail("--log_level must be debug, info, warn or error");
  }
  log::Init("gateway", level);

  gateway::GatewayOptions options;
  options.listen = config->Get("listen");
  options.http_listen = config->Get("http_listen");
  options.public_dir = config->Get("public_dir");
  options.internal_proof = config->Get("internal_proof");
  options.proto_files = gateway::LinkedProtoFiles();
  for (const char* svc : {"registry", "review", "tracking", "training", "feedback", "evaluation"}) {
    options.backends.addresses[absl::StrCat("zhigai.", svc, ".v1")] =
        config->Get(absl::StrCat(svc, "_addr"));
  }
  auto policy = gateway::Policy::Load(config->Get("policy_file"));
  if (!policy.ok()) return Fail(std::string(policy.status().message()));
  options.policy = std::move(*policy);
  options.jwks_file = config->Get("jwks_file");
  options.authn.jwt.issuer = config->Get("jwt_issuer");
  options.authn.jwt.audience = config->Get("jwt_audience");
  for (const char* name : {"jwt_clock_skew_seconds", "max_message_bytes", "threads", "http_threads",
                           "drain_seconds", "max_connection_age_seconds"}) {
    if (auto v = config->GetInt(name); !v.ok()) return Fail(std::string(v.status().message()));
  }
  options.authn.jwt.clock_skew = absl::Seconds(*config->GetInt("jwt_clock_skew_seconds"));
  options.max_message_bytes = *config->GetInt("max_message_bytes");
  options.threads = *config->GetInt("threads");
  options.http_threads = *config->GetInt("http_threads");
  if (*config->GetInt("max_connection_age_seconds") <= 0) {
    return Fail("--max_connection_age_seconds must be positive");
  }
  options.max_connection_age = absl::Seconds(*config->GetInt("max_connection_age_seconds"));
  if (!options.jwks_file.empty()) {
    auto claims = gateway::ClaimsMapping::Load(config->Get("claims_mapping_file"));
    if (!claims.ok()) return Fail(std::string(claims.status().message()));
    options.authn.claims = std::move(*claims);
  } else {
    log::Warn("no --jwks_file: bearer tokens are refused; only mTLS and anonymous callers");
  }
  if (!config->Get("mtls_principals_file").empty()) {
    auto table = gateway::LoadCertTable(config->Get("mtls_principals_file"));
    if (!table.ok()) return Fail(std::string(table.status().message()));
    options.authn.certs = std::move(*table);
  }
  std::map<std::string, absl::Time> certificate_expiry;  // for the operations gauges
  if (!config->Get("tls_cert_file").empty()) {
    gateway::TlsOptions tls;
    auto cert = ReadFile(config->Get("tls_cert_file"));
    auto key = ReadFile(config->Get("tls_key_file"));
    if (!cert.ok()) return Fail(std::string(cert.status().message()));
    if (!key.ok()) return Fail(std::string(key.status().message()));
    tls.cert_pem = *cert;
    tls.key_pem = *key;
    auto server_expiry = gateway::EarliestNotAfter(tls.cert_pem);
    if (!server_expiry.ok())
      return Fail(absl::StrCat("--tls_cert_file: ", server_expiry.status().message()));
    certificate_expiry["server"] = *server_expiry;
    if (!config->Get("tls_client_ca_file").empty()) {
      auto ca = ReadFile(config->Get("tls_client_ca_file"));
      if (!ca.ok()) return Fail(std::string(ca.status().message()));
      tls.client_ca_pem = *ca;
      auto ca_expiry = gateway::EarliestNotAfter(tls.client_ca_pem);
      if (!ca_expiry.ok())
        return Fail(absl::StrCat("--tls_client_ca_file: ", ca_expiry.status().message()));
      certificate_expiry["client_ca"] = *ca_expiry;
    }
    options.tls = std::move(tls);
  } else if (!config->Get("tls_client_ca_file").empty()) {
    return Fail("--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
  }
  auto limits = gateway::RateLimiter::Parse(config->Get("rate_limits"));
  if (!limits.ok()) return Fail(std::string(limits.status().message()));
  options.rate_limits = *limits;

  auto metrics = std::make_shared<prometheus::Registry>();
  options.metrics = metrics.get();
  auto gw = gateway::Gateway::Start(std::move(options));
  if (!gw.ok()) return Fail(std::string(gw.status().message()));
  std::unique_ptr<prometheus::Exposer> exposer;
  // The exposer holds collectables weakly: this one lives as long as main.
  std::shared_ptr<prometheus::Collectable> identity =
      gateway::IdentityMetrics((*gw)->jwks(), certificate_expiry);
  if (!config->Get("metrics_listen").empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(config->Get("metrics_listen"));
      exposer->RegisterCollectable(metrics);
      exposer->RegisterCollectable(identity);
    } catch (const std::exception& e) {
      return Fail(
          absl::StrCat("cannot serve metrics on ", config->Get("metrics_listen"), ": ", e.what()));
    }
  }
  log::Info("serving", {{"grpc", absl::StrCat((*gw)->port())},
                        {"http", absl::StrCat((*gw)->http_port())},
                        {"metrics", config->Get("metrics_listen")}});
  int sig = 0;
  sigwait(&signals, &sig);
  int drain = *config->GetInt("drain_seconds");
  log::Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                         {"deadline_s", absl::StrCat(drain)}});
  (*gw)->Shutdown(absl::Seconds(drain));
  log::Info("stopped");
  return 0;
}
