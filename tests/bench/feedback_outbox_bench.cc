// Feedback's sanction outbox, measured end to end: a real feedback service and a real registry
// in-process on one PostgreSQL (ZHIGAI_TEST_PG_ADMIN), the dispatcher running as in main.cc.
//
//   latency  — with the registry up: one command at a time, then open loop at 100/300/500 per s;
//              delivery latency = the registry's record time of the sanction minus the outbox
//              row's creation time (both on this machine's clock), p50/p99/max.
//   backlog  — the registry is down while N commands are ordered; then it returns and the
//              backlog drains: time to empty and commands delivered per second.
//
// Usage: feedback_outbox_bench [--latency N] [--backlog N]   (defaults 400 and 2000)
// Commands are RecordPlagiarismFinding calls (one CANCEL each, distinct institutions), so the
// registry's idempotent ImposeSanction does real work for every one.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/wire/testing/literals.h"
#include "services/feedback/tests/feedback_fixture.h"

namespace {

using namespace zhigai::feedback;           // NOLINT
using namespace zhigai::feedback::testing;  // NOLINT

std::atomic<int> next_institution{1};

// Orders one cancellation for a fresh institution; false when the call failed.
bool OrderOne(Harness& h) {
  const int n = next_institution.fetch_add(1);
  v1::RecordPlagiarismFindingRequest req;
  req.set_request_id(absl::StrCat("bench-", n));
  req.mutable_finding()->set_institution_credit_code(Code("MB1B", n));
  *req.mutable_finding()->mutable_finding_date() = zhigai::wire::testing::D("2026-06-01");
  req.mutable_finding()->set_description("基准测试：抄袭认定");
  req.mutable_finding()->add_evidence_document_ids("doc-bench");
  v1::PlagiarismFinding out;
  grpc::Status s = h.stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out);
  if (!s.ok()) std::fprintf(stderr, "order failed: %s\n", s.error_message().c_str());
  return s.ok();
}

void OrderConcurrently(Harness& h, int total, int callers) {
  std::vector<std::thread> threads;
  for (int t = 0; t < callers; ++t) {
    threads.emplace_back([&h, total, callers, t] {
      for (int i = t; i < total; i += callers) OrderOne(h);
    });
  }
  for (auto& t : threads) t.join();
}

bool WaitUntilDrained(Harness& h, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    auto counts = h.dispatcher().Counts();
    if (counts.ok() && counts->pending == 0) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return false;
}

// p50/p99/max in ms of registry receipt minus outbox creation, for commands created after
// `since_id` (outbox row ids).
void ReportLatency(Harness& h, const char* label, int64_t since_id) {
  const std::string sql = absl::StrCat(
      "WITH l AS (SELECT extract(epoch FROM s.created_at - o.created_at) * 1000 AS ms"
      " FROM feedback.outbox o JOIN registry.sanctions s USING (command_id) WHERE o.id > ",
      since_id,
      ") SELECT count(*) || ' commands: p50 ' || round(percentile_cont(0.5) WITHIN GROUP"
      " (ORDER BY ms)::numeric, 2) || ' ms, p99 ' || round(percentile_cont(0.99) WITHIN GROUP"
      " (ORDER BY ms)::numeric, 2) || ' ms, max ' || round(max(ms)::numeric, 2) || ' ms' FROM l");
  std::printf("%-44s %s\n", label, h.Scalar(sql).c_str());
}

int64_t LastOutboxId(Harness& h) {
  const std::string id = h.Scalar("SELECT coalesce(max(id), 0) FROM feedback.outbox");
  int64_t out = 0;
  return absl::SimpleAtoi(id, &out) ? out : 0;
}

}  // namespace

int main(int argc, char** argv) {
  int latency_n = 400, backlog_n = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    int value = 0;
    if (!absl::SimpleAtoi(argv[i + 1], &value) || value <= 0) {
      std::fprintf(stderr, "bad value for %s\n", flag.c_str());
      return 2;
    }
    if (flag == "--latency")
      latency_n = value;
    else if (flag == "--backlog")
      backlog_n = value;
    else {
      std::fprintf(stderr, "usage: %s [--latency N] [--backlog N]\n", argv[0]);
      return 2;
    }
  }

  Harness h(/*with_registry=*/true);
  h.SetToday(absl::CivilDay(2026, 6, 1));
  // Every finding names a registered institution (RecordPlagiarismFinding asks the registry):
  // register all the bench will use before anything is timed.
  const int total_orders = 20 + latency_n * 4 + backlog_n * 2 + 100;
  for (int n = 1; n <= total_orders; ++n) h.registry().Register(Code("MB1B", n));
  h.dispatcher().Start();
  for (int i = 0; i < 20; ++i) OrderOne(h);  // warm up connections and prepared statements
  WaitUntilDrained(h, absl::Seconds(30));

  std::printf(
      "feedback outbox -> registry ImposeSanction (dispatcher batch 50, poll 500 ms,"
      " Notify after commit)\n");
  // Unloaded: each command is delivered before the next is ordered.
  int64_t mark = LastOutboxId(h);
  for (int i = 0; i < latency_n; ++i) {
    OrderOne(h);
    WaitUntilDrained(h, absl::Seconds(10));
  }
  ReportLatency(h, "registry up, one command at a time:", mark);

  // Open loop at fixed offered rates: commands arrive on a schedule, whatever the backlog.
  for (int rate : {100, 300, 500}) {
    mark = LastOutboxId(h);
    const absl::Time start = absl::Now();
    for (int i = 0; i < latency_n; ++i) {
      absl::SleepFor(start + absl::Seconds(1.0 * i / rate) - absl::Now());
      OrderOne(h);
    }
    WaitUntilDrained(h, absl::Seconds(60));
    ReportLatency(h, absl::StrCat("registry up, ", rate, " orders/s offered:").c_str(), mark);
  }

  // Outage: the registry is away while the backlog builds.
  h.StopRegistry();
  const absl::Time fill_start = absl::Now();
  OrderConcurrently(h, backlog_n, 4);
  const double fill_s = absl::ToDoubleSeconds(absl::Now() - fill_start);
  absl::SleepFor(absl::Milliseconds(300));  // let the dispatcher fail a round and back off
  auto before = h.dispatcher().Counts();
  std::printf("%-44s %lld pending after %.2f s of ordering (%.0f orders/s)\n",
              "registry down:", before.ok() ? static_cast<long long>(before->pending) : -1LL,
              fill_s, backlog_n / fill_s);

  const absl::Time back = absl::Now();
  h.StartRegistry();
  const bool drained = WaitUntilDrained(h, absl::Seconds(300));
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - back);
  // The steady rate, without the reconnect wait: first to last receipt at the registry.
  const std::string steady = h.Scalar(absl::StrCat(
      "SELECT round((count(*) / greatest(extract(epoch FROM max(created_at) - min(created_at)),"
      " 0.001))::numeric, 0) || ' commands/s between first and last receipt'"
      " FROM registry.sanctions WHERE created_at >= '",
      absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", back, absl::UTCTimeZone()), "'"));
  std::printf("%-44s %s %d commands in %.2f s: %.0f commands/s overall; %s\n",
              "registry back:", drained ? "drained" : "NOT drained", backlog_n, drain_s,
              backlog_n / drain_s, steady.c_str());
  const std::string bars = h.Scalar(
      "SELECT count(*) || ' sanctions for ' || count(DISTINCT command_id) || ' command ids'"
      " FROM registry.sanctions");
  std::printf("%-44s %s\n", "exactly once:", bars.c_str());
  h.dispatcher().Stop();
  return drained ? 0 : 1;
}
