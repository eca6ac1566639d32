// zhigai-admin: operator commands that tools/zhigai and the Kubernetes jobs share.
//   zhigai-admin provision --admin <conninfo> --service <name> --password <pw>
//   zhigai-admin health <host:port> [service-name] [--wait <seconds>]
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/db/connection.h"
#include "libs/db/provision.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage:\n  zhigai-admin provision --admin <conninfo> --service <name> "
               "--password <pw>\n  zhigai-admin health <host:port> [service] [--wait <s>]\n");
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
              password = Arg(args, "--password");
  if (admin.empty() || service.empty() || password.empty()) return Usage();
  auto conn = zhigai::db::Connection::Open(admin);
  if (!conn.ok()) {
    std::fprintf(stderr, "provision: %s\n", std::string(conn.status().message()).c_str());
    return 1;
  }
  zhigai::db::ServiceDatabase db{service, "zhigai_" + service, password};
  if (auto s = zhigai::db::ProvisionServiceSchema(**conn, db); !s.ok()) {
    std::fprintf(stderr, "provision %s: %s\n", service.c_str(), std::string(s.message()).c_str());
    return 1;
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
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(wait.empty() ? 0 : std::stoi(wait));
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
      std::printf("%s %s SERVING\n", target.c_str(), service.empty() ? "(overall)" : service.c_str());
      return 0;
    }
    last = s.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status())
                  : s.error_message();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  std::fprintf(stderr, "%s %s: %s\n", target.c_str(), service.c_str(), last.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  if (args[0] == "provision") return Provision(args);
  if (args[0] == "health") return Health(args);
  return Usage();
}
