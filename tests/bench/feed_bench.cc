// The feed of public changes under load (issue 25 item 2): the real zhigai-registry binary with
// production settings, 100 followers on WatchPublicChanges, and writers appending changes
// (RecordPublicChange, as review's and evaluation's outboxes do) open-loop at fixed rates.
// Reports the changes delivered per second to all followers, the end-to-end delay from the
// writer's send to each follower's receipt (p50/p99), and as the baseline measured in the same
// run, the writers' own call latency (the commit that the delay cannot beat). Prints Markdown
// for docs/benchmarks.md. Run through `tools/zhigai bench feed`.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/auth/principal.h"
#include "libs/db/testing/test_database.h"
#include "tests/bench/loadgen.h"
#include "tests/e2e/process.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::bench {
namespace {

namespace v1 = zhigai::registry::v1;
constexpr char kProof[] = "bench-proof";
int kFollowers = 100;  // argv[1] may change it (0: the writes alone)
constexpr int kWriterThreads = 8;
constexpr absl::Duration kWriteFor = absl::Seconds(8);

int64_t NowNs() { return absl::ToUnixNanos(absl::Now()); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Follower {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::thread thread;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> last_sequence{0};
  std::atomic<int64_t> last_receipt_ns{0};
  std::vector<double> delays_ms;  // owned by the thread until it is joined
  bool in_order = true;
};

struct RateResult {
  int rate = 0;
  int64_t written = 0, write_errors = 0;
  double write_p50 = 0, write_p99 = 0;
  double delivered_per_s = 0;
  double delay_p50 = 0, delay_p99 = 0;
  bool complete = true, in_order = true;
  int64_t rss_kib = 0;
};

RateResult RunRate(v1::RegistryService::Stub& writer_stub,
                   std::vector<std::shared_ptr<grpc::Channel>>& channels, int pid, int rate,
                   int64_t* next_command) {
  RateResult out;
  out.rate = rate;
  // Followers start from the feed's current end, so each run measures only its own changes.
  int64_t start_after = 0;
  {
    grpc::ClientContext ctx;
    v1::ListPublicChangesRequest req;
    req.set_after_sequence(0);
    req.set_page_size(1);
    v1::ListPublicChangesResponse resp;
    if (writer_stub.ListPublicChanges(&ctx, req, &resp).ok()) start_after = resp.last_sequence();
  }
  std::vector<std::unique_ptr<Follower>> followers;
  for (int f = 0; f < kFollowers; ++f) {
    auto fo = std::make_unique<Follower>();
    fo->ctx = std::make_unique<grpc::ClientContext>();
    Follower* raw = fo.get();
    auto stub = v1::RegistryService::NewStub(channels[f % channels.size()]);
    fo->thread = std::thread([raw, start_after, stub = std::move(stub)] {
      v1::WatchPublicChangesRequest req;
      req.set_after_sequence(start_after);
      auto reader = stub->WatchPublicChanges(raw->ctx.get(), req);
      v1::PublicChange change;
      int64_t expected = start_after + 1;
      while (reader->Read(&change)) {
        const int64_t now = NowNs();
        int64_t sent = 0;
        if (absl::SimpleAtoi(change.reason().substr(2), &sent)) {
          raw->delays_ms.push_back(static_cast<double>(now - sent) / 1e6);
        }
        if (change.sequence() != expected) raw->in_order = false;
        expected = change.sequence() + 1;
        raw->last_sequence = change.sequence();
        raw->last_receipt_ns = now;
        ++raw->received;
      }
      reader->Finish();
    });
    followers.push_back(std::move(fo));
  }
  absl::SleepFor(absl::Seconds(1));  // every follower's stream is open and replayed

  const int64_t total = static_cast<int64_t>(rate * absl::ToDoubleSeconds(kWriteFor));
  std::atomic<int64_t> next{0}, errors{0};
  std::mutex mu;
  std::vector<double> write_ms;
  const int64_t t0 = NowNs();
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriterThreads; ++w) {
    writers.emplace_back([&] {
      auto stub = v1::RegistryService::NewStub(channels[0]);
      std::vector<double> mine;
      for (int64_t i; (i = next.fetch_add(1)) < total;) {
        // Open loop: change i is due at t0 + i / rate, whether or not earlier ones are done.
        const int64_t due = t0 + static_cast<int64_t>(1e9 * static_cast<double>(i) / rate);
        const int64_t wait = due - NowNs();
        if (wait > 0) absl::SleepFor(absl::Nanoseconds(wait));
        v1::RecordPublicChangeRequest req;
        req.set_command_id(absl::StrCat("bench-", (*next_command) + i));
        auto* c = req.mutable_change();
        c->set_kind(v1::RANKING_PUBLISHED);
        c->set_resource("rounds/2026");
        c->set_source_service("evaluation");
        c->set_year(2026);
        const int64_t sent = NowNs();
        c->set_reason(absl::StrCat("t=", sent));
        grpc::ClientContext ctx;
        ctx.AddMetadata(auth::kPrincipalHeader,
                        auth::EncodePrincipal({auth::Role::kService, "evaluation", "", ""}));
        ctx.AddMetadata(auth::kInternalProofHeader, kProof);
        v1::PublicChange resp;
        if (stub->RecordPublicChange(&ctx, req, &resp).ok()) {
          mine.push_back(static_cast<double>(NowNs() - sent) / 1e6);
        } else {
          ++errors;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      write_ms.insert(write_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : writers) t.join();
  *next_command += total;
  out.written = static_cast<int64_t>(write_ms.size());
  out.write_errors = errors;
  out.write_p50 = Percentile(write_ms, 0.50);
  out.write_p99 = Percentile(write_ms, 0.99);
  // Wait until every follower has every change (or 20 s), then close the streams.
  const int64_t want = start_after + out.written;
  for (int i = 0; i < 200; ++i) {
    bool all = true;
    for (auto& f : followers) all = all && f->last_sequence >= want;
    if (all) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  out.rss_kib = RssKib(pid);
  int64_t last_receipt = 0, receipts = 0;
  std::vector<double> delays;
  for (auto& f : followers) {
    out.complete = out.complete && f->last_sequence >= want;
    f->ctx->TryCancel();
    f->thread.join();
    out.in_order = out.in_order && f->in_order;
    receipts += f->received;
    last_receipt = std::max<int64_t>(last_receipt, f->last_receipt_ns);
    delays.insert(delays.end(), f->delays_ms.begin(), f->delays_ms.end());
  }
  out.delivered_per_s =
      static_cast<double>(receipts) / (static_cast<double>(last_receipt - t0) / 1e9);
  out.delay_p50 = Percentile(delays, 0.50);
  out.delay_p99 = Percentile(delays, 0.99);
  return out;
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
                            {"ZHIGAI_DATA_DIR", ZHIGAI_DATA_DIR}},
                           {}, "/tmp/zhigai-feed-bench.log");
  if (!e2e::WaitServing(target, "readiness", 30000)) {
    std::fprintf(stderr, "registry did not start:\n%s\n", proc.Log().c_str());
    return 1;
  }
  // Followers spread over four connections, as independent systems would be.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < 4; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("zhigai.bench.connection", c);  // a distinct channel, not a shared subchannel
    channels.push_back(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
  auto writer_stub = v1::RegistryService::NewStub(channels[0]);
  int64_t next_command = 0;
  std::printf(
      "| write rate target /s | written | write p50 ms | write p99 ms (baseline) | "
      "delivered /s to %d followers | delay p50 ms | delay p99 ms | delay p99 / write "
      "p99 | every follower got every change, in order | registry RSS MiB |\n",
      kFollowers);
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (int rate : {100, 300, 1000}) {
    RateResult r = RunRate(*writer_stub, channels, proc.pid(), rate, &next_command);
    std::printf(
        "| %d | %lld (%lld errors) | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %s | %.0f |\n",
        r.rate, static_cast<long long>(r.written), static_cast<long long>(r.write_errors),
        r.write_p50, r.write_p99, r.delivered_per_s, r.delay_p50, r.delay_p99,
        r.write_p99 > 0 ? r.delay_p99 / r.write_p99 : 0, r.complete && r.in_order ? "yes" : "NO",
        static_cast<double>(r.rss_kib) / 1024);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace zhigai::bench

int main(int argc, char** argv) {
  if (argc > 1) zhigai::bench::kFollowers = std::atoi(argv[1]);
  return zhigai::bench::Main();
}
