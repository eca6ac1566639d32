// Policy-platform intake: 100,000 projects through the PushProjects stream (idempotency
// included: read of the stored revisions, multi-row upsert with the revision guard, audit row,
// one transaction per 1000), against COPY of the same rows into a scratch table on the same
// PostgreSQL in the same run, then a full replay of the same 100,000 through the stream.
// Prints records/s, the ratio, the process's peak RSS (VmHWM), and for each phase the CPU
// seconds of this process (load client and service) and of the database's backends.
//
// Needs ZHIGAI_TEST_PG_ADMIN (as the integration tests). Records are generated batch by batch
// on both sides, so the RSS shows the service's working set, not a client's data set; the
// generation is inside the timings of both sides (the COPY side builds its text too).
#include <dirent.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/wire/testing/literals.h"
#include "services/tracking/tests/fixture.h"
#include "tests/bench/loadgen.h"

namespace {

using namespace zhigai;
using namespace zhigai::tracking;
using Clock = std::chrono::steady_clock;

constexpr int kRecords = 100000;
constexpr int kBatch = 1000;

// CPU ticks (user + system) of each PostgreSQL backend serving `database`: the children of
// the postmaster whose process title names it. Other databases of the cluster (another
// benchmark on the same machine) are left out.
std::map<int, long long> BackendTicks(int postmaster, const std::string& database) {
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  std::string title = " " + database + " ";  // "postgres: user database host state"
  std::map<int, long long> ticks;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* e = readdir(proc)) {
      int pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      std::string dir = "/proc/" + std::to_string(pid);
      std::string stat = read(dir + "/stat");
      size_t close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(stat.substr(close + 2));
      std::string field;
      long long f[16] = {};
      for (int i = 3; i <= 15 && rest >> field; ++i) f[i] = std::atoll(field.c_str());
      if (f[4] != postmaster) continue;
      if (read(dir + "/cmdline").find(title) == std::string::npos) continue;
      ticks[pid] = f[14] + f[15];
    }
    closedir(proc);
  }
  return ticks;
}

struct Row {
  std::string id, inst, ent, decl, city, city_date, county, county_date;
  int64_t revision, subsidy;
  bool diagnosis;
};

// The load generator's own costs, kept small so that they do not take the cores from what is
// measured (both sides use the same rows): the credit codes of the 500 institutions and 20,000
// enterprises (check character included) are computed once, before the timings; ids and
// dates are written digit by digit instead of through str_format.
std::vector<std::string> CodeTable(int tag, int count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  for (int n = 0; n < count; ++n) codes.push_back(testing::Code(tag, n));
  return codes;
}
const std::vector<std::string>& Institutions() {
  static const auto* codes = new std::vector<std::string>(CodeTable(900, 500));
  return *codes;
}
const std::vector<std::string>& Enterprises() {
  static const auto* codes = new std::vector<std::string>(CodeTable(901, 20000));
  return *codes;
}

void AppendDigits(std::string& out, int value, int width) {
  char digits[12];
  for (int i = width - 1; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
  out.append(digits, static_cast<std::size_t>(width));
}

// Deterministic rows: 500 institutions, both kinds, a quarter not approved by the county.
Row MakeRow(int i) {
  Row r;
  r.id = "PLAT-2025-";
  AppendDigits(r.id, i, 7);
  r.revision = 1 + i % 3;
  r.inst = Institutions()[i % 500];
  r.ent = Enterprises()[i % 20000];
  r.diagnosis = i % 3 != 0;
  r.decl = "2025-";
  AppendDigits(r.decl, 1 + i % 12, 2);
  r.decl.push_back('-');
  AppendDigits(r.decl, 1 + i % 28, 2);
  r.city = "APPROVED";
  r.city_date = "2025-12-30";
  r.county = i % 4 == 0 ? "PENDING" : "APPROVED";
  r.county_date = i % 4 == 0 ? "" : "2025-12-29";
  r.subsidy = 500000 + i % 1000;
  return r;
}

// One batch on `arena` (the client's records are freed at once after the write), the row's
// strings moved into the message rather than copied.
v1::PushProjectsRequest* MakeBatch(int first, google::protobuf::Arena* arena) {
  auto* req = google::protobuf::Arena::CreateMessage<v1::PushProjectsRequest>(arena);
  req->set_batch_id(absl::StrCat("bench#", first / kBatch));
  req->mutable_records()->Reserve(kBatch);
  for (int i = first; i < first + kBatch; ++i) {
    Row r = MakeRow(i);
    auto* p = req->add_records();
    p->set_project_id(std::move(r.id));
    p->set_revision(r.revision);
    p->set_institution_credit_code(std::move(r.inst));
    p->set_enterprise_credit_code(std::move(r.ent));
    p->set_kind(r.diagnosis ? common::v1::DIAGNOSIS : common::v1::SOLUTION_DESIGN);
    *p->mutable_declaration_date() = wire::testing::D(r.decl);
    p->set_city_outcome(v1::OUTCOME_APPROVED);
    if (!r.city_date.empty()) *p->mutable_city_outcome_date() = wire::testing::D(r.city_date);
    p->set_county_outcome(r.county == "PENDING" ? v1::OUTCOME_PENDING : v1::OUTCOME_APPROVED);
    if (!r.county_date.empty()) *p->mutable_county_outcome_date() = wire::testing::D(r.county_date);
    p->set_subsidy_fen(r.subsidy);
  }
  return req;
}

struct StreamRun {
  double seconds = 0;
  v1::OutcomeCounts counts;
  bool ok = false;
};

// `offset` shifts the project ids, so each round pushes projects the store has not seen.
StreamRun Stream(testing::TrackingEnv& env, int offset) {
  StreamRun run;
  auto ctx = testing::TrackingEnv::As(testing::Platform(), 600);
  auto start = Clock::now();
  auto stream = env.tracking().PushProjects(ctx.get());
  std::thread writer([&] {
    for (int first = offset; first < offset + kRecords; first += kBatch) {
      google::protobuf::Arena arena;
      if (!stream->Write(*MakeBatch(first, &arena))) break;
    }
    stream->WritesDone();
  });
  v1::PushProjectsResponse ack;
  while (stream->Read(&ack)) {
    const auto& c = ack.counts();
    run.counts.set_accepted(run.counts.accepted() + c.accepted());
    run.counts.set_updated(run.counts.updated() + c.updated());
    run.counts.set_duplicate(run.counts.duplicate() + c.duplicate());
    run.counts.set_stale(run.counts.stale() + c.stale());
    run.counts.set_rejected(run.counts.rejected() + c.rejected() + c.conflict());
  }
  writer.join();
  grpc::Status s = stream->Finish();
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.ok = s.ok();
  if (!s.ok()) std::fprintf(stderr, "stream failed: %s\n", s.error_message().c_str());
  return run;
}

// CPU used during one phase by this process (load client and service) and by the backends of
// the benchmark's database.
struct Cpu {
  double process = 0, database = 0;
};

// On a shared machine CPU per phase is steadier than records per second.
class CpuMeter {
 public:
  CpuMeter(int postmaster, std::string database)
      : postmaster_(postmaster), database_(std::move(database)) {}
  void Start() {
    process_ = bench::CpuSeconds(getpid());
    backends_ = Backends();
  }
  // Before the phase's connections close: a backend that has exited is not counted.
  Cpu Stop() const {
    long long ticks = 0;
    for (const auto& [pid, now] : Backends()) {
      auto before = backends_.find(pid);
      ticks += now - (before == backends_.end() ? 0 : before->second);
    }
    return {bench::CpuSeconds(getpid()) - process_,
            static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK))};
  }

 private:
  std::map<int, long long> Backends() const {
    return postmaster_ > 0 ? BackendTicks(postmaster_, database_) : std::map<int, long long>();
  }
  int postmaster_;
  std::string database_;
  double process_ = 0;
  std::map<int, long long> backends_;
};

// COPY of the same rows (same columns, hash included, primary key on project_id) into a
// scratch table, in one COPY, text format. The table keeps its rows across rounds, as the
// projects table does, so both sides grow alike.
double Copy(testing::TrackingEnv& env, int offset, CpuMeter& meter, Cpu* cpu) {
  auto admin = env.database().Admin();
  auto s = admin->ExecScript(
      "CREATE TABLE IF NOT EXISTS public.bench_copy (project_id text PRIMARY KEY, revision bigint,"
      " content_hash text, institution_credit_code text, enterprise_credit_code text, kind text,"
      " declaration_date date, year int, city_outcome text, city_outcome_date date,"
      " county_outcome text, county_outcome_date date, approved_by_both boolean,"
      " subsidy_fen bigint, change_seq bigint, updated_at timestamptz)");
  if (!s.ok()) {
    std::fprintf(stderr, "scratch table: %s\n", s.ToString().c_str());
    return 0;
  }
  PGconn* conn = admin->raw();
  meter.Start();
  auto start = Clock::now();
  PGresult* res = PQexec(conn, "COPY public.bench_copy FROM STDIN");
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    std::fprintf(stderr, "COPY: %s\n", PQerrorMessage(conn));
    PQclear(res);
    return 0;
  }
  PQclear(res);
  std::string buffer;
  for (int i = offset; i < offset + kRecords; ++i) {
    Row r = MakeRow(i);
    absl::StrAppend(
        &buffer, r.id, "\t", r.revision, "\t",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\t", r.inst, "\t", r.ent,
        "\t", r.diagnosis ? "DIAGNOSIS" : "SOLUTION_DESIGN", "\t", r.decl, "\t2025\t", r.city, "\t",
        r.city_date, "\t", r.county, "\t", r.county_date.empty() ? "\\N" : r.county_date, "\t",
        r.county == "APPROVED" ? "t" : "f", "\t", r.subsidy, "\t1\t2026-01-01T00:00:00Z\n");
    if (buffer.size() > (1 << 20)) {
      PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size()));
      buffer.clear();
    }
  }
  PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size()));
  PQputCopyEnd(conn, nullptr);
  res = PQgetResult(conn);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  *cpu = meter.Stop();
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) std::fprintf(stderr, "COPY end: %s\n", PQerrorMessage(conn));
  PQclear(res);
  return ok ? seconds : 0;
}

void Print(const char* what, const StreamRun& run, const Cpu& cpu) {
  std::printf(
      "%-28s %8.2f s %10.0f records/s  accepted %d updated %d duplicate %d stale %d "
      "refused %d  rss now %ld MiB  cpu %.2f s + db %.2f s\n",
      what, run.seconds, kRecords / run.seconds, run.counts.accepted(), run.counts.updated(),
      run.counts.duplicate(), run.counts.stale(), run.counts.rejected(),
      bench::RssKib(getpid()) / 1024, cpu.process, cpu.database);
}

// The postmaster of the cluster the admin connection is on (the parent of its backend).
int Postmaster(testing::TrackingEnv& env) {
  auto admin = env.database().Admin();
  int backend = PQbackendPID(admin->raw());
  std::ifstream in("/proc/" + std::to_string(backend) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;  // PostgreSQL on another machine: no database CPU
  std::istringstream rest(text.substr(close + 2));
  std::string state;
  int ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

int main() {
  // One connection per batch the stream writes at once (kStreamInFlight), plus one.
  auto env = testing::TrackingEnv::Start(4);
  Institutions();  // the generator's tables, outside the timings
  Enterprises();
  std::printf("records %d, batch %d, rss at start %ld MiB\n", kRecords, kBatch,
              bench::RssKib(getpid()) / 1024);
  // Three rounds, COPY and stream alternating, each on new project ids: a run of under a
  // second is at the mercy of whatever else the machine does, so the figure is the median of
  // the rounds' ratios, each measured back to back.
  constexpr int kRounds = 3;
  std::vector<double> ratios, replay_speedups;
  CpuMeter meter(Postmaster(*env), env->database().name());
  bool ok = true;
  for (int round = 0; round < kRounds && ok; ++round) {
    int offset = round * kRecords;
    Cpu copy_cpu;
    double copy_seconds = Copy(*env, offset, meter, &copy_cpu);
    if (copy_seconds <= 0) return 1;
    std::printf("round %d\n%-28s %8.2f s %10.0f records/s  cpu %.2f s + db %.2f s\n", round + 1,
                "COPY (scratch table)", copy_seconds, kRecords / copy_seconds, copy_cpu.process,
                copy_cpu.database);
    meter.Start();
    StreamRun first = Stream(*env, offset);
    if (!first.ok) return 1;
    Print("PushProjects stream", first, meter.Stop());
    meter.Start();
    StreamRun replay = Stream(*env, offset);
    if (!replay.ok) return 1;
    Print("PushProjects full replay", replay, meter.Stop());
    ratios.push_back(copy_seconds / first.seconds);
    replay_speedups.push_back(first.seconds / replay.seconds);
    ok = first.counts.accepted() == kRecords && replay.counts.duplicate() == kRecords;
  }
  int64_t stored = env->Count("projects");
  std::printf("stored projects %lld (expected %d)\n", static_cast<long long>(stored),
              kRecords * kRounds);
  std::sort(ratios.begin(), ratios.end());
  std::sort(replay_speedups.begin(), replay_speedups.end());
  std::printf(
      "stream / COPY ratio: median %.0f%% (rounds %.0f%%..%.0f%%); replay / first: median "
      "%.2fx faster\n",
      100.0 * ratios[ratios.size() / 2], 100.0 * ratios.front(), 100.0 * ratios.back(),
      replay_speedups[replay_speedups.size() / 2]);
  std::printf("peak RSS of the process (client + server + libpq, VmHWM) %ld MiB\n",
              bench::PeakRssKib(getpid()) / 1024);
  ok = ok && stored == kRecords * kRounds;
  return ok ? 0 : 1;
}
