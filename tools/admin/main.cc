// zhigai-admin: operator commands that tools/zhigai and the Kubernetes jobs share.
//   zhigai-admin provision --admin <conninfo> --service <name> --password <pw> [--role <r>]
//                          [--business-clock]       also let the role follow a settable clock
//   zhigai-admin clock show|set|advance ...           the settable business clock (rehearsals)
//   zhigai-admin health <host:port> [service-name] [--wait <seconds>]
//   zhigai-admin dev-idp-init --dir <dir>          development identity provider: key + JWKS
//   zhigai-admin token --dir <dir> --role ROLE --sub S [--code C] [--div D] [--ttl SECONDS]
//                      [--iss I] [--aud A]          a signed JWT the gateway accepts
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/auth/dev_signing.h"
#include "libs/auth/principal.h"
#include "libs/db/clock_table.h"
#include "libs/db/connection.h"
#include "libs/db/provision.h"
#include "tools/admin/clock_command.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage:\n  zhigai-admin provision --admin <conninfo> --service <name> "
               "--password <pw> [--role <role>] [--business-clock]\n"
               "  zhigai-admin clock show|set|advance --admin <conninfo> ...\n"
               "  zhigai-admin health <host:port> [service] [--wait <s>]\n"
               "  zhigai-admin dev-idp-init --dir <dir>\n"
               "  zhigai-admin token --dir <dir> --role ROLE --sub S [--code C] [--div D] "
               "[--ttl SECONDS]\n");
  return 2;
}

std::string Arg(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) return args[i + 1];
  }
  return "";
}

int Provision(const std::vector<std::string>& args) {
  std::string admin = Arg(args, "--admin"), service = Arg(args, "--service"),
              password = Arg(args, "--password"), role = Arg(args, "--role");
  if (admin.empty() || service.empty() || password.empty()) return Usage();
  // Roles are cluster-wide: stacks that share a cluster (tests running side by side) name
  // their own, or one would change the other's password under it.
  if (role.empty()) role = "zhigai_" + service;
  auto conn = zhigai::db::Connection::Open(admin);
  if (!conn.ok()) {
    std::fprintf(stderr, "provision: %s\n", std::string(conn.status().message()).c_str());
    return 1;
  }
  zhigai::db::ServiceDatabase db{service, role, password};
  if (auto s = zhigai::db::ProvisionServiceSchema(**conn, db); !s.ok()) {
    std::fprintf(stderr, "provision %s: %s\n", service.c_str(), std::string(s.message()).c_str());
    return 1;
  }
  // A rehearsal system's services follow a settable business clock: they need to read it.
  for (const std::string& a : args) {
    if (a != "--business-clock") continue;
    if (auto s = zhigai::db::ProvisionClock(**conn, role); !s.ok()) {
      std::fprintf(stderr, "provision %s: business clock: %s\n", service.c_str(),
                   std::string(s.message()).c_str());
      return 1;
    }
  }
  std::printf("provisioned schema %s for role %s\n", service.c_str(), db.role.c_str());
  return 0;
}

// Exit 0 when SERVING; waits up to --wait seconds, polling.
int Health(const std::vector<std::string>& args) {
  if (args.size() < 2) return Usage();
  std::string target = args[1];
  std::string service = (args.size() > 2 && args[2].rfind("--", 0) != 0) ? args[2] : "";
  std::string wait = Arg(args, "--wait");
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(wait.empty() ? 0 : std::stoi(wait));
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  std::string last = "no answer";
  do {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    if (s.ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::printf("%s %s SERVING\n", target.c_str(),
                  service.empty() ? "(overall)" : service.c_str());
      return 0;
    }
    last = s.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status())
                  : s.error_message();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  std::fprintf(stderr, "%s %s: %s\n", target.c_str(), service.c_str(), last.c_str());
  return 1;
}

// The development identity provider keeps three files in --dir: dev-idp.key (PEM, 0600),
// dev-idp.kid and jwks.json (what the gateway reads through ZHIGAI_JWKS_FILE).
struct DevIdpFiles {
  std::string key, kid, jwks;
};
DevIdpFiles IdpFiles(const std::string& dir) {
  return {dir + "/dev-idp.key", dir + "/dev-idp.kid", dir + "/jwks.json"};
}

std::optional<zhigai::auth::SigningKey> LoadDevKey(const std::string& dir) {
  DevIdpFiles f = IdpFiles(dir);
  std::string pem = zhigai::auth::ReadFile(f.key);
  std::string kid = zhigai::auth::ReadFile(f.kid);
  while (!kid.empty() && (kid.back() == '\n' || kid.back() == ' ')) kid.pop_back();
  if (pem.empty() || kid.empty()) return std::nullopt;
  return zhigai::auth::SigningKey::FromPem(kid, pem);
}

// Idempotent: an existing key is kept (tokens already handed out stay valid) and the JWKS is
// rewritten from it; a new key gets a kid naming its creation time.
int DevIdpInit(const std::vector<std::string>& args) {
  std::string dir = Arg(args, "--dir");
  if (dir.empty()) return Usage();
  ::mkdir(dir.c_str(), 0700);
  DevIdpFiles f = IdpFiles(dir);
  auto key = LoadDevKey(dir);
  if (!key) {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", std::gmtime(&now));
    key = zhigai::auth::SigningKey::Rsa(std::string("zhigai-dev-") + stamp);
    ::umask(077);
    zhigai::auth::WriteFile(f.key, key->PrivatePem());
    ::chmod(f.key.c_str(), 0600);
    zhigai::auth::WriteFile(f.kid, key->kid() + "\n");
  }
  zhigai::auth::WriteJwks(f.jwks, {&*key});
  std::printf("%s (kid %s)\n", f.jwks.c_str(), key->kid().c_str());
  return 0;
}

int Token(const std::vector<std::string>& args) {
  std::string dir = Arg(args, "--dir"), role = Arg(args, "--role"), sub = Arg(args, "--sub");
  if (dir.empty() || role.empty() || sub.empty()) return Usage();
  const std::optional<zhigai::auth::Role> known = zhigai::auth::RoleFromName(role);
  if (known == zhigai::auth::Role::kService) {
    // The gateway maps no token to SERVICE (services/gateway/claims.json): zhigai's services
    // call each other directly with the internal proof, never through the gateway, so a token
    // claiming it would only be refused there.
    std::fprintf(stderr,
                 "token: SERVICE is zhigai's internal role and no token carries it: services "
                 "call each other directly with the internal proof (tools/zhigai call ... --as "
                 "SERVICE sends those headers to a service's own port)\n");
    return 2;
  }
  if (!known || *known == zhigai::auth::Role::kPublic) {
    // The gateway would refuse such a token as carrying no role; say it here, with the choices.
    std::fprintf(stderr,
                 "token: %s is not a role that signs in (CITY_BUREAU, COUNTY_BUREAU, INSTITUTION, "
                 "ENTERPRISE, EXPERT or POLICY_PLATFORM; PUBLIC callers send no token)\n",
                 role.c_str());
    return 2;
  }
  auto key = LoadDevKey(dir);
  if (!key) {
    std::fprintf(stderr, "token: no development key in %s (run dev-idp-init first)\n", dir.c_str());
    return 1;
  }
  std::string ttl = Arg(args, "--ttl"), iss = Arg(args, "--iss"), aud = Arg(args, "--aud");
  long long now = static_cast<long long>(std::time(nullptr));
  // Defaults are the gateway's jwt_issuer and jwt_audience (services/gateway/main.cc).
  nlohmann::json claims = {{"iss", iss.empty() ? "https://id.wenzhou.gov.cn" : iss},
                           {"aud", aud.empty() ? "zhigai" : aud},
                           {"sub", sub},
                           {"zhigai_role", role},
                           {"iat", now},
                           {"nbf", now - 5},
                           {"exp", now + (ttl.empty() ? 3600 : std::stoll(ttl))}};
  if (std::string code = Arg(args, "--code"); !code.empty()) claims["uscc"] = code;
  if (std::string div = Arg(args, "--div"); !div.empty()) claims["division_code"] = div;
  std::printf("%s\n", key->Sign(claims).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  if (args[0] == "provision") return Provision(args);
  if (args[0] == "clock") return zhigai::admin::ClockCommand(args);
  if (args[0] == "health") return Health(args);
  if (args[0] == "dev-idp-init") return DevIdpInit(args);
  if (args[0] == "token") return Token(args);
  return Usage();
}
