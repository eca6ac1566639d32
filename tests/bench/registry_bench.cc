// Registry load benchmark: GetInstitution and CheckEligibility over gRPC at 32 calls in flight
// against the real binary, with `pgbench -S` on the same PostgreSQL in the same run as the
// baseline, and the service's memory before, during and after. Prints a Markdown section for
// docs/benchmarks.md. Run through `tools/zhigai bench registry`.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/principal.h"
#include "libs/db/testing/test_database.h"
#include "libs/wire/testing/literals.h"
#include "tests/bench/loadgen.h"
#include "tests/e2e/process.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::bench {
namespace {

namespace v1 = zhigai::registry::v1;
constexpr char kProof[] = "bench-proof";
constexpr int kInstitutions = 1000;
constexpr int kInFlight = 32;

std::string CodeFor(int i) {
  // Synthetic valid codes: 9133030210000 + 4-digit body + GB 11714 check + final check.
  static const char kChars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::string body = absl::StrFormat("1%07d", i);
  static const int w8[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int s = 0;
  for (int k = 0; k < 8; ++k) s += (body[k] - '0') * w8[k];
  int r = 11 - s % 11;
  char inner = r == 10 ? 'X' : r == 11 ? '0' : char('0' + r);
  std::string first17 = absl::StrCat("91330302", body, std::string(1, inner));
  int sum = 0, weight = 1;
  for (int k = 0; k < 17; ++k) {
    sum += static_cast<int>(std::string(kChars).find(first17[k])) * weight;
    weight = weight * 3 % 31;
  }
  int c = (31 - sum % 31) % 31;
  return first17 + kChars[c];
}

void AddPrincipal(grpc::ClientContext* ctx, auth::Role role) {
  ctx->AddMetadata(
      auth::kPrincipalHeader,
      auth::EncodePrincipal({role, "bench", "", role == auth::Role::kCityBureau ? "330300" : ""}));
  ctx->AddMetadata(auth::kInternalProofHeader, kProof);
}

double PgbenchTps(const std::string& host, const std::string& port) {
  std::string base = absl::StrCat("/usr/lib/postgresql/15/bin/pgbench -h ", host, " -p ", port,
                                  " -U zhigai_admin ");
  std::string db = "zhigai_pgbench";
  (void)!system(absl::StrCat("/usr/lib/postgresql/15/bin/psql -q -h ", host, " -p ", port,
                             " -U zhigai_admin -d postgres -c 'CREATE DATABASE ", db,
                             "' >/dev/null 2>&1")
                    .c_str());
  (void)!system(absl::StrCat(base, "-q -i -s 10 ", db, " >/dev/null 2>&1").c_str());
  FILE* p = popen(absl::StrCat(base, "-S -c 8 -j 2 -T 10 ", db, " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) pclose(p);
  std::smatch m;
  if (std::regex_search(out, m, std::regex("tps = ([0-9.]+)"))) return std::stod(m[1]);
  std::fprintf(stderr, "pgbench failed:\n%s\n", out.c_str());
  return 0;
}

std::string ConnField(const std::string& conninfo, const std::string& key) {
  std::smatch m;
  if (std::regex_search(conninfo, m, std::regex(key + "=([^ ]+)"))) return m[1];
  return "";
}

int Main() {
  auto db = db::testing::TestDatabase::Create();
  int port = e2e::FreePort();
  std::string target = absl::StrCat("127.0.0.1:", port);
  e2e::ServiceProcess proc(ZHIGAI_REGISTRY_BINARY,
                           {{"ZHIGAI_DB", db->ServiceConninfo("registry")},
                            {"ZHIGAI_INTERNAL_PROOF", kProof},
                            {"ZHIGAI_LISTEN", target},
                            {"ZHIGAI_METRICS_LISTEN", ""},
                            {"ZHIGAI_LOG_LEVEL", "warn"},
                            {"ZHIGAI_DB_POOL_SIZE", "8"},
                            {"ZHIGAI_DATA_DIR", ZHIGAI_DATA_DIR}},
                           {}, "/tmp/zhigai-registry-bench.log");
  if (!e2e::WaitServing(target, "readiness", 30000)) {
    std::fprintf(stderr, "registry did not start:\n%s\n", proc.Log().c_str());
    return 1;
  }
  int64_t rss_idle_start = RssKib(proc.pid());
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  std::vector<std::string> codes;
  for (int i = 0; i < kInstitutions; ++i) codes.push_back(CodeFor(i));
  auto stub = v1::RegistryService::NewStub(channel);

  // Seed: institutions and their directory entries for 2026.
  auto seed = RunClosedLoop(
      8, absl::Seconds(120),
      [&](int, int64_t i) {
        v1::CreateInstitutionRequest req;
        req.set_request_id(absl::StrCat("seed-", i));
        auto* in = req.mutable_institution();
        in->set_credit_code(CodeFor(static_cast<int>(i)));
        in->set_display_name(absl::StrCat("基准测试机构", i));
        in->set_legal_form(v1::INDEPENDENT_LEGAL_PERSON);
        *in->mutable_founded_date() = wire::testing::D("2012-01-01");
        in->mutable_registered_address()->set_province("浙江省");
        in->mutable_registered_address()->set_city("温州市");
        in->mutable_registered_address()->set_division_code("330302");
        in->set_ownership(v1::PRIVATE);
        in->add_directions(zhigai::common::v1::CONSULTING);
        in->mutable_contact()->set_name("联系人");
        in->mutable_contact()->set_phone("13805770000");
        in->set_products_and_strengths("智能化诊断与方案设计，覆盖电气、鞋业、泵阀等行业。");
        grpc::ClientContext ctx;
        AddPrincipal(&ctx, auth::Role::kCityBureau);
        v1::Institution out;
        if (!stub->CreateInstitution(&ctx, req, &out).ok()) return false;
        v1::AdmitToDirectoryRequest admit;
        admit.set_command_id(absl::StrCat("seed-admit-", i));
        admit.set_year(2026);
        admit.set_level(zhigai::common::v1::CITY);
        admit.set_credit_code(in->credit_code());
        admit.set_direction(zhigai::common::v1::CONSULTING);
        grpc::ClientContext ctx2;
        AddPrincipal(&ctx2, auth::Role::kCityBureau);
        v1::DirectoryEntry entry;
        return stub->AdmitToDirectory(&ctx2, admit, &entry).ok();
      },
      kInstitutions);

  // Calls through the callback API: the state of each call lives until its completion runs.
  auto get = [&](int, int64_t i, std::function<void(bool)> done) {
    struct State {
      grpc::ClientContext ctx;
      v1::GetInstitutionRequest req;
      v1::Institution resp;
    };
    auto* st = new State;
    st->req.set_name(absl::StrCat("institutions/", codes[i % kInstitutions]));
    AddPrincipal(&st->ctx, auth::Role::kService);
    stub->async()->GetInstitution(&st->ctx, &st->req, &st->resp, [st, done](grpc::Status s) {
      delete st;
      done(s.ok());
    });
  };
  auto check = [&](int, int64_t i, std::function<void(bool)> done) {
    struct State {
      grpc::ClientContext ctx;
      v1::CheckEligibilityRequest req;
      v1::Eligibility resp;
    };
    auto* st = new State;
    st->req.set_credit_code(codes[i % kInstitutions]);
    st->req.set_service_kind(zhigai::common::v1::DIAGNOSIS);
    *st->req.mutable_date() = wire::testing::D("2026-06-01");
    AddPrincipal(&st->ctx, auth::Role::kService);
    stub->async()->CheckEligibility(&st->ctx, &st->req, &st->resp, [st, done](grpc::Status s) {
      bool ok = s.ok() && st->resp.eligible();
      delete st;
      done(ok);
    });
  };
  RunClosedLoopAsync(kInFlight, absl::Seconds(2),
                     get);  // warm-up: connections, prepared statements
  double cpu0 = CpuSeconds(proc.pid()), client0 = CpuSeconds(getpid());
  auto r_get = RunClosedLoopAsync(kInFlight, absl::Seconds(10), get);
  double cpu1 = CpuSeconds(proc.pid()), client1 = CpuSeconds(getpid());
  int64_t rss_after_first = RssKib(proc.pid());
  auto r_check = RunClosedLoopAsync(kInFlight, absl::Seconds(10), check);
  double cpu2 = CpuSeconds(proc.pid());
  auto r_get2 = RunClosedLoopAsync(kInFlight, absl::Seconds(10), get);
  int64_t rss_after_second = RssKib(proc.pid());
  int64_t rss_peak = PeakRssKib(proc.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int64_t rss_idle_end = RssKib(proc.pid());
  proc.Terminate(20);

  std::string admin = db->admin_conninfo();
  double tps = PgbenchTps(ConnField(admin, "host"), ConnField(admin, "port"));

  std::printf("%s", TableHeader().c_str());
  std::printf("%s",
              FormatRow("seed: CreateInstitution + AdmitToDirectory, 8 in flight", seed).c_str());
  std::printf("%s", FormatRow("GetInstitution, 32 in flight (callback client)", r_get).c_str());
  std::printf("%s", FormatRow("CheckEligibility, 32 in flight (callback client)", r_check).c_str());
  std::printf("%s", FormatRow("GetInstitution again (memory flat?)", r_get2).c_str());
  std::printf(
      "\n| baseline | TPS |\n|---|---:|\n| pgbench -S (simple protocol, as TOOLCHAIN.md), 8 "
      "clients, 10 s, scale 10 | %.0f |\n",
      tps);
  std::printf(
      "\nRatios to pgbench -S: GetInstitution %.2f, CheckEligibility %.2f (target >= 0.50)\n",
      r_get.qps / tps, r_check.qps / tps);
  std::printf(
      "\nRegistry CPU per call (user + system, steadier than QPS on a shared machine): "
      "GetInstitution %.1f µs, CheckEligibility %.1f µs\n",
      1e6 * (cpu1 - cpu0) / static_cast<double>(std::max<int64_t>(r_get.calls, 1)),
      1e6 * (cpu2 - cpu1) / static_cast<double>(std::max<int64_t>(r_check.calls, 1)));
  std::printf("\nLoad driver CPU per call (this process, GetInstitution): %.1f µs\n",
              1e6 * (client1 - client0) / static_cast<double>(std::max<int64_t>(r_get.calls, 1)));
  std::printf(
      "\nRegistry RSS: idle at start %.1f MiB; after %lld calls %.1f MiB; after %lld more %.1f MiB;"
      " peak %.1f MiB; idle at end %.1f MiB (targets: idle < 40, peak < 150, flat)\n",
      rss_idle_start / 1024.0, static_cast<long long>(r_get.calls), rss_after_first / 1024.0,
      static_cast<long long>(r_check.calls + r_get2.calls), rss_after_second / 1024.0,
      rss_peak / 1024.0, rss_idle_end / 1024.0);
  return 0;
}

}  // namespace
}  // namespace zhigai::bench

int main() { return zhigai::bench::Main(); }
