// Gateway benchmark: unary QPS and p50/p99 at 32 calls in flight against the same backend,
// (1) directly, (2) through zhigai-gateway, (3) through nginx's grpc_pass, all in one run, and
// the gateway's RSS during and after the load. The backend is the gateway's test echo backend
// (its catch-all answers GetInstitution with an empty message, so the figures measure the
// proxies, not a database). Each path runs in two layouts: on shared cores, and with the proxy
// isolated on a core of its own (the load driver and the backend pinned to the other core, in
// the direct path as well). Prints a Markdown section for docs/benchmarks.md.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// `measuring` runs between the warm-up and the measured part, so that CPU figures sampled
// there cover exactly the calls counted.
LoadResult Drive(
    const std::string& target, const std::string& token, absl::Duration duration,
    const std::function<void()>& measuring = [] {}) {
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
  measuring();
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

// One path's run: the load figures and the CPU each process spent per call.
struct PathRun {
  LoadResult load;
  double client_us = 0, backend_us = 0, proxy_us = 0;
};

struct Round {
  PathRun direct, gateway, nginx;
};

double PerCallMicros(double cpu_seconds, const LoadResult& r) {
  return 1e6 * cpu_seconds / std::max<double>(1, static_cast<double>(r.calls));
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

template <typename F>
double MedianOf(const std::vector<Round>& rounds, F f) {
  std::vector<double> v;
  for (const Round& r : rounds) v.push_back(f(r));
  return Median(std::move(v));
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

double Ratio(double a, double b) { return a / std::max(1e-9, b); }

// A layout's figures: the median of each path over the rounds, then each round's ratios.
// Ratios are paired within a round (the three paths ran back to back), which cancels most of
// the drift of a shared machine between rounds.
void PrintLayout(const char* title, const std::vector<Round>& rounds, bool with_nginx) {
  std::printf("### %s\n\n", title);
  std::printf(
      "| path (median of %zu rounds) | QPS | p50 ms | p99 ms | CPU µs per call: "
      "client / backend / proxy |\n|---|---:|---:|---:|---|\n",
      rounds.size());
  auto row = [&](const char* name, PathRun Round::*path, bool proxied) {
    std::printf(
        "| %s | %.0f | %.3f | %.3f | %.1f / %.1f / %s |\n", name,
        MedianOf(rounds, [&](const Round& r) { return (r.*path).load.qps; }),
        MedianOf(rounds, [&](const Round& r) { return (r.*path).load.p50_ms; }),
        MedianOf(rounds, [&](const Round& r) { return (r.*path).load.p99_ms; }),
        MedianOf(rounds, [&](const Round& r) { return (r.*path).client_us; }),
        MedianOf(rounds, [&](const Round& r) { return (r.*path).backend_us; }),
        proxied ? absl::StrFormat(
                      "%.1f", MedianOf(rounds, [&](const Round& r) { return (r.*path).proxy_us; }))
                      .c_str()
                : "-");
  };
  row("direct to the backend", &Round::direct, false);
  row("through zhigai-gateway (JWT, policy)", &Round::gateway, true);
  if (with_nginx) row("through nginx grpc_pass (1 worker)", &Round::nginx, true);
  std::printf(
      "\n| round | gateway / nginx QPS | gateway p99 / direct p99 | nginx p99 / direct p99 "
      "| errors |\n|---:|---:|---:|---:|---:|\n");
  for (size_t i = 0; i < rounds.size(); ++i) {
    const Round& r = rounds[i];
    std::printf(
        "| %zu | %.2f | %.2f | %.2f | %lld |\n", i + 1,
        with_nginx ? Ratio(r.gateway.load.qps, r.nginx.load.qps) : 0.0,
        Ratio(r.gateway.load.p99_ms, r.direct.load.p99_ms),
        with_nginx ? Ratio(r.nginx.load.p99_ms, r.direct.load.p99_ms) : 0.0,
        static_cast<long long>(r.direct.load.errors + r.gateway.load.errors + r.nginx.load.errors));
  }
  std::printf("\nMedian of the paired ratios: gateway p99 / direct p99 %.2f (target <= 1.5)",
              MedianOf(rounds, [](const Round& r) {
                return Ratio(r.gateway.load.p99_ms, r.direct.load.p99_ms);
              }));
  if (with_nginx) {
    std::printf(
        "; gateway / nginx throughput %.2f (target >= 1); nginx p99 / direct p99 %.2f",
        MedianOf(rounds,
                 [](const Round& r) { return Ratio(r.gateway.load.qps, r.nginx.load.qps); }),
        MedianOf(rounds,
                 [](const Round& r) { return Ratio(r.nginx.load.p99_ms, r.direct.load.p99_ms); }));
  }
  std::printf(".\n\n");
  std::fflush(stdout);
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
      {"ZHIGAI_THREADS", std::to_string(EnvInt("ZHIGAI_BENCH_GATEWAY_THREADS", 1))},
      {"ZHIGAI_LOG_LEVEL", "warn"},
  };
  e2e::ServiceProcess gw(ZHIGAI_GATEWAY_BINARY, env, {}, dir + "/gateway.log");
  std::string gateway = absl::StrCat("127.0.0.1:", gateway_port);
  if (!e2e::WaitServing(gateway, "", 10000)) {
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

  // Rounds of the three paths back to back; 3 rounds of 5 s by default.
  const int rounds = std::max(1, EnvInt("ZHIGAI_BENCH_ROUNDS", 3));
  const absl::Duration duration = absl::Seconds(std::max(1, EnvInt("ZHIGAI_BENCH_SECONDS", 5)));
  const std::string nginx_target = absl::StrCat("127.0.0.1:", nginx_port);
  const int nginx_worker = nginx ? NginxWorker(nginx->pid()) : 0;
  const int64_t rss_idle = RssKib(gw.pid());
  auto run_path = [&](const std::string& target, const std::string& bearer, int proxy_pid) {
    double client0 = 0, backend0 = 0, proxy0 = 0;
    PathRun run;
    run.load = Drive(target, bearer, duration, [&] {
      client0 = CpuSeconds(getpid());
      backend0 = CpuSeconds(echo.pid());
      proxy0 = proxy_pid ? CpuSeconds(proxy_pid) : 0;
    });
    run.client_us = PerCallMicros(CpuSeconds(getpid()) - client0, run.load);
    run.backend_us = PerCallMicros(CpuSeconds(echo.pid()) - backend0, run.load);
    if (proxy_pid) run.proxy_us = PerCallMicros(CpuSeconds(proxy_pid) - proxy0, run.load);
    return run;
  };
  auto run_rounds = [&]() {
    std::vector<Round> out;
    for (int i = 0; i < rounds; ++i) {
      Round r;
      r.direct = run_path(backend, "", 0);
      r.gateway = run_path(gateway, token, gw.pid());
      if (nginx) r.nginx = run_path(nginx_target, token, nginx_worker);
      out.push_back(r);
    }
    return out;
  };

  std::printf("## Gateway: unary GetInstitution at %d in flight (%d rounds of %s per path)\n\n",
              kInFlight, rounds, absl::FormatDuration(duration).c_str());
  // Layout 1, shared: every process may run on every core, so the proxy competes with the
  // load driver and the backend for the same two cores.
  PrintLayout("Shared cores (no pinning)", run_rounds(), nginx != nullptr);
  const int64_t rss_loaded = RssKib(gw.pid());

  // Layout 2, isolated: the proxy under test on a core of its own, as it would have its own
  // pod; the load driver and the backend on the other core in all three paths, so the direct
  // baseline and the proxied paths give the client and the backend the same CPU.
  if (OnlineCpus() >= 2) {
    bool pinned = PinProcess(0, {0}) && PinProcess(echo.pid(), {0}) && PinProcess(gw.pid(), {1});
    if (nginx) pinned = PinProcess(nginx_worker, {1}) && pinned;
    if (pinned) {
      PrintLayout("Isolated: proxy on CPU 1, load driver and backend on CPU 0", run_rounds(),
                  nginx != nullptr);
    } else {
      std::printf("Isolated layout skipped: could not pin the processes.\n\n");
    }
    PinProcess(0, {});
    PinProcess(echo.pid(), {});
    PinProcess(gw.pid(), {});
    if (nginx) PinProcess(nginx_worker, {});
  }
  const int64_t rss_after = RssKib(gw.pid()), rss_peak = PeakRssKib(gw.pid());
  std::printf("Gateway RSS: %.1f MiB idle, %.1f MiB under load, %.1f MiB after, peak %.1f MiB.\n",
              rss_idle / 1024.0, rss_loaded / 1024.0, rss_after / 1024.0, rss_peak / 1024.0);
  // Soak (issue 8: RSS flat across a 10-minute run): ZHIGAI_BENCH_SOAK_MINUTES=10.
  if (const int minutes = EnvInt("ZHIGAI_BENCH_SOAK_MINUTES", 0); minutes > 0) {
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
