// Gateway benchmark: unary QPS and p50/p99 at 32 calls in flight against the same backend,
// (1) directly, (2) through zhigai-gateway, (3) through nginx's grpc_pass, all in one run, and
// the gateway's RSS during and after the load. The backend is the gateway's test echo backend
// (its catch-all answers GetInstitution with an empty message, so the figures measure the
// proxies, not a database). Prints a Markdown section for docs/benchmarks.md.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/gateway/tests/tokens.h"
#include "tests/bench/loadgen.h"
#include "tests/e2e/process.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::bench {
namespace {

namespace testing = gateway::testing;
constexpr int kInFlight = 32;
constexpr char kMethod[] = "/zhigai.registry.v1.RegistryService/GetInstitution";

struct PendingCall {
  grpc::ClientContext ctx;
  grpc::ByteBuffer response;
};

LoadResult Drive(const std::string& target, const std::string& token, absl::Duration duration) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own per run
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  registry::v1::GetInstitutionRequest req;
  req.set_name("institutions/91330302123456788P");
  std::string bytes = req.SerializeAsString();
  AsyncStart start = [&](int, int64_t, std::function<void(bool)> done) {
    auto* call = new PendingCall;
    if (!token.empty()) call->ctx.AddMetadata("authorization", "Bearer " + token);
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    stub.UnaryCall(&call->ctx, kMethod, grpc::StubOptions(), &request, &call->response,
                   [call, done](grpc::Status s) {
                     delete call;
                     done(s.ok());
                   });
  };
  RunClosedLoopAsync(kInFlight, absl::Seconds(2), start);  // warm-up: connections, caches
  return RunClosedLoopAsync(kInFlight, duration, start);
}

std::string NginxConfig(const std::string& dir, int listen_port, int backend_port) {
  return absl::StrCat(
      "worker_processes 1;\ndaemon off;\npid ", dir, "/nginx.pid;\nerror_log ", dir,
      "/nginx-error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n",
      "  client_body_temp_path ", dir, "/body;\n  proxy_temp_path ", dir, "/proxy;\n",
      "  fastcgi_temp_path ", dir, "/fcgi;\n  uwsgi_temp_path ", dir, "/uwsgi;\n",
      "  scgi_temp_path ", dir, "/scgi;\n", "  upstream backend { server 127.0.0.1:", backend_port,
      "; keepalive 64; }\n", "  server {\n    listen 127.0.0.1:", listen_port, " http2;\n",
      // The default 1000 closes the client's connection every 1000 calls (TOOLCHAIN.md).
      "    keepalive_requests 10000000;\n    keepalive_timeout 300s;\n",
      "    location / { grpc_pass grpc://backend; }\n  }\n}\n");
}

// nginx's master forks one worker; the worker does the proxying.
int NginxWorker(int master) {
  for (int i = 0; i < 50; ++i) {
    std::ifstream in(absl::StrCat("/proc/", master, "/task/", master, "/children"));
    int child = 0;
    if (in >> child && child > 0) return child;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return master;
}

int Main() {
  std::string dir = testing::TempDir();
  int backend_port = e2e::FreePort(), gateway_port = e2e::FreePort(), nginx_port = e2e::FreePort();
  std::string backend = absl::StrCat("127.0.0.1:", backend_port);

  e2e::ServiceProcess echo(ZHIGAI_ECHO_BACKEND_BINARY, {}, {backend}, dir + "/backend.log");
  if (!e2e::WaitServing(backend, "", 10000)) {
    std::fprintf(stderr, "echo backend did not start\n");
    return 1;
  }

  testing::SigningKey key = testing::SigningKey::Rsa("bench");
  testing::WriteJwks(dir + "/jwks.json", {&key});
  int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string token = key.Sign({{"iss", "https://id.bench"},
                                {"aud", "zhigai"},
                                {"sub", "bench-user"},
                                {"exp", now + 3600},
                                {"zhigai_role", "CITY_BUREAU"},
                                {"division_code", "330300"}});
  std::map<std::string, std::string> env = {
      {"ZHIGAI_LISTEN", absl::StrCat("127.0.0.1:", gateway_port)},
      {"ZHIGAI_HTTP_LISTEN", ""},
      {"ZHIGAI_METRICS_LISTEN", ""},
      {"ZHIGAI_INTERNAL_PROOF", "bench-proof"},
      {"ZHIGAI_REGISTRY_ADDR", backend},
      {"ZHIGAI_POLICY_FILE", ZHIGAI_GATEWAY_POLICY},
      {"ZHIGAI_CLAIMS_MAPPING_FILE", ZHIGAI_GATEWAY_CLAIMS},
      {"ZHIGAI_JWKS_FILE", dir + "/jwks.json"},
      {"ZHIGAI_JWT_ISSUER", "https://id.bench"},
      {"ZHIGAI_RATE_LIMITS", ""},
      {"ZHIGAI_THREADS", "1"},
      {"ZHIGAI_LOG_LEVEL", "warn"},
  };
  e2e::ServiceProcess gw(ZHIGAI_GATEWAY_BINARY, env, {}, dir + "/gateway.log");
  std::string gateway = absl::StrCat("127.0.0.1:", gateway_port);
  if (getenv("XEXP_NOHEALTH"))
    absl::SleepFor(absl::Seconds(2));
  else if (!e2e::WaitServing(gateway, "", 10000)) {
    std::fprintf(stderr, "gateway did not start:\n%s\n", gw.Log().c_str());
    return 1;
  }
  testing::WriteFile(dir + "/nginx.conf", NginxConfig(dir, nginx_port, backend_port));
  std::unique_ptr<e2e::ServiceProcess> nginx;
  if (access("/usr/sbin/nginx", X_OK) == 0) {
    nginx = std::make_unique<e2e::ServiceProcess>(
        "/usr/sbin/nginx", std::map<std::string, std::string>{},
        std::vector<std::string>{"-p", dir, "-c", dir + "/nginx.conf"}, dir + "/nginx.log");
    absl::SleepFor(absl::Milliseconds(500));
  }

  absl::Duration duration = absl::Seconds(10);
  int64_t rss_idle = RssKib(gw.pid());
  LoadResult direct = Drive(backend, "", duration);
  double gw_cpu0 = CpuSeconds(gw.pid());
  LoadResult through_gateway = Drive(gateway, token, duration);
  double gw_cpu = CpuSeconds(gw.pid()) - gw_cpu0;
  int64_t rss_loaded = RssKib(gw.pid());
  LoadResult through_nginx;
  double nginx_cpu = 0;
  if (nginx) {
    int worker = NginxWorker(nginx->pid());
    double cpu0 = CpuSeconds(worker);
    through_nginx = Drive(absl::StrCat("127.0.0.1:", nginx_port), token, duration);
    nginx_cpu = CpuSeconds(worker) - cpu0;
  }
  int64_t rss_after = RssKib(gw.pid()), rss_peak = PeakRssKib(gw.pid());

  std::printf("## Gateway: unary GetInstitution at %d in flight (%s each)\n\n", kInFlight,
              absl::FormatDuration(duration).c_str());
  std::printf("%s", TableHeader().c_str());
  std::printf("%s", FormatRow("direct to the backend", direct).c_str());
  std::printf("%s",
              FormatRow("through zhigai-gateway (JWT, policy, 1 thread)", through_gateway).c_str());
  if (nginx)
    std::printf("%s", FormatRow("through nginx grpc_pass (1 worker)", through_nginx).c_str());
  std::printf("\nGateway RSS: %.1f MiB idle, %.1f MiB under load, %.1f MiB after, peak %.1f MiB.\n",
              rss_idle / 1024.0, rss_loaded / 1024.0, rss_after / 1024.0, rss_peak / 1024.0);
  if (nginx) {
    std::printf("Gateway/nginx throughput: %.2f (target >= 1). ",
                through_gateway.qps / through_nginx.qps);
  }
  std::printf("Gateway p99 / direct p99: %.2f (target <= 1.5).\n",
              through_gateway.p99_ms / std::max(1e-9, direct.p99_ms));
  // CPU per forwarded call is steadier than QPS on a shared machine.
  std::printf("Proxy CPU per call: gateway %.1f µs",
              1e6 * gw_cpu / std::max<double>(1, through_gateway.calls));
  if (nginx)
    std::printf(", nginx worker %.1f µs",
                1e6 * nginx_cpu / std::max<double>(1, through_nginx.calls));
  std::printf(".\n");
  // Soak (issue 8: RSS flat across a 10-minute run): ZHIGAI_BENCH_SOAK_MINUTES=10.
  if (const char* soak = std::getenv("ZHIGAI_BENCH_SOAK_MINUTES"); soak && std::atoi(soak) > 0) {
    int minutes = std::atoi(soak);
    std::printf(
        "\n| minute | calls | QPS | p99 ms | gateway RSS MiB |\n|---:|---:|---:|---:|---:|\n");
    for (int m = 1; m <= minutes; ++m) {
      LoadResult r = Drive(gateway, token, absl::Minutes(1));
      std::printf("| %d | %lld | %.0f | %.3f | %.1f |\n", m, static_cast<long long>(r.calls), r.qps,
                  r.p99_ms, RssKib(gw.pid()) / 1024.0);
      std::fflush(stdout);
    }
  }
  if (nginx) nginx->Terminate(5);
  gw.Terminate(10);
  echo.Terminate(5);
  return 0;
}

}  // namespace
}  // namespace zhigai::bench

int main() { return zhigai::bench::Main(); }
