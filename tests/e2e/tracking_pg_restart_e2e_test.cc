// Issue 4's fault test: PostgreSQL goes away while the policy platform streams 100,000 projects
// into the REAL zhigai-tracking binary; the platform resends everything; the store then holds
// each project exactly once at its newest revision, and what was acknowledged before the fault
// was never lost.
//
// The test owns its PostgreSQL cluster (initdb in a temp folder, a free port, run as the
// postgres user when we are root): stopping the shared dev cluster would break everyone else's
// tests. The cluster is stopped with -m immediate (a crash: WAL replay on start), the harsher
// of the two, so "acknowledged means committed" is really tested.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/principal.h"
#include "libs/core/credit_code.h"
#include "libs/db/testing/test_database.h"
#include "libs/wire/testing/literals.h"
#include "tests/e2e/process.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace zhigai::e2e {
namespace {

namespace v1 = zhigai::tracking::v1;
using Clock = std::chrono::steady_clock;

constexpr char kProof[] = "e2e-proof";
constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";
constexpr int kProjects = 100000;
constexpr int kBatch = 1000;
// Every 10th project is sent three times: revision 2 with the others, then revision 3 (the
// newest), then revision 1 (older, after the newer one: must be ignored as STALE).
constexpr int kEvery = 10;
constexpr int kSubset = kProjects / kEvery;
constexpr int kBatches = (kProjects + 2 * kSubset) / kBatch;  // 120
// The database is stopped once the platform has sent this many batches: inside the revision-3
// phase (batches 100..109), so the resend also brings revision 2 after revision 3 was stored.
constexpr int kStopAtBatch = 104;

// PostgreSQL refuses to run as root.
std::string AsPg(const std::string& cmd) {
  return getuid() == 0 ? absl::StrCat("runuser -u postgres -- ", cmd) : cmd;
}

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

class PrivateCluster {
 public:
  PrivateCluster() {
    char tmpl[] = "/tmp/zhigai-e2e-pg-XXXXXX";
    dir_ = mkdtemp(tmpl);
    data_ = dir_ + "/data";
    sock_ = dir_ + "/run";
    port_ = FreePort();
    Run(absl::StrCat("mkdir -p ", sock_, " && chmod 755 ", dir_));
    if (getuid() == 0) Run(absl::StrCat("chown -R postgres: ", dir_));
    ok_ = Run(AsPg(absl::StrCat(kPgBin, "/initdb -D ", data_,
                                " -U zhigai_admin --auth-local=trust --auth-host=scram-sha-256"
                                " -E UTF8 --locale=C.UTF-8 >/dev/null"))) == 0;
  }
  ~PrivateCluster() {
    Stop("immediate");
    Run(absl::StrCat("rm -rf ", dir_));
  }
  bool ok() const { return ok_; }
  // fsync off for speed: the fault is the server process dying, not the machine, so the WAL
  // it wrote (synchronous_commit on: before each COMMIT's answer) is in the page cache.
  bool Start() {
    std::string opts = absl::StrCat(
        "-c listen_addresses='' -c port=", port_, " -c unix_socket_directories=", sock_,
        " -c max_connections=50 -c fsync=off -c synchronous_commit=on -c full_page_writes=off");
    return Run(AsPg(absl::StrCat(kPgBin, "/pg_ctl -D ", data_, " -l ", data_, "/server.log -o \"",
                                 opts, "\" -w -t 60 start >/dev/null"))) == 0;
  }
  void Stop(const std::string& mode) {
    Run(AsPg(absl::StrCat(kPgBin, "/pg_ctl -D ", data_, " -m ", mode, " -w stop >/dev/null 2>&1")));
    // pg_ctl waits by counting its own short sleeps, which libfaketime can cut short (check
    // --dates): it then gives up while the server still runs. The server is gone when its pid
    // file is.
    const std::string pid_file = data_ + "/postmaster.pid";
    for (int i = 0; i < 600 && access(pid_file.c_str(), F_OK) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string admin() const {
    return absl::StrCat("host=", sock_, " port=", port_, " user=zhigai_admin");
  }

 private:
  std::string dir_, data_, sock_;
  int port_ = 0;
  bool ok_ = false;
};

std::string Code(int tag, int n) {
  std::string first17 = absl::StrFormat("91330302%03d%06d", tag, n);
  return first17 + *core::CreditCodeCheckChar(first17);
}

// Fields that differ per revision, so "newest revision's fields" is checked, not just the number.
int64_t Subsidy(int i, int64_t revision) { return 100000 + int64_t{i} * 10 + revision; }
v1::ProjectOutcome County(int64_t revision) {
  return revision == 3 ? v1::OUTCOME_APPROVED : v1::OUTCOME_PENDING;
}
int64_t NewestRevision(int i) { return i % kEvery == 0 ? 3 : 1; }

void FillRecord(int i, int64_t revision, v1::ProjectRecord* p) {
  p->set_project_id(absl::StrFormat("PLAT-2025-%07d", i));
  p->set_revision(revision);
  p->set_institution_credit_code(Code(910, i % 300));
  p->set_enterprise_credit_code(Code(911, i % 5000));
  p->set_kind(i % 3 == 0 ? common::v1::SOLUTION_DESIGN : common::v1::DIAGNOSIS);
  *p->mutable_declaration_date() =
      wire::testing::D(absl::StrFormat("2025-%02d-%02d", 1 + i % 12, 1 + i % 28));
  p->set_city_outcome(v1::OUTCOME_APPROVED);
  *p->mutable_city_outcome_date() = wire::testing::D("2025-12-30");
  p->set_county_outcome(County(revision));
  if (County(revision) == v1::OUTCOME_APPROVED)
    *p->mutable_county_outcome_date() = wire::testing::D("2025-12-31");
  p->set_subsidy_fen(Subsidy(i, revision));
}

// Batch b of the platform's sequence (always the same, so a resend is the same data).
v1::PushProjectsRequest MakeBatch(int b) {
  v1::PushProjectsRequest req;
  req.set_batch_id(absl::StrCat("fault#", b));
  for (int k = b * kBatch; k < (b + 1) * kBatch; ++k) {
    if (k < kProjects) {
      FillRecord(k, k % kEvery == 0 ? 2 : 1, req.add_records());
    } else if (k < kProjects + kSubset) {
      FillRecord((k - kProjects) * kEvery, 3, req.add_records());
    } else {
      FillRecord((k - kProjects - kSubset) * kEvery, 1, req.add_records());
    }
  }
  return req;
}

std::unique_ptr<grpc::ClientContext> PlatformContext(int deadline_s) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata(auth::kPrincipalHeader,
                   auth::EncodePrincipal({auth::Role::kPolicyPlatform, "policy-platform", "", ""}));
  ctx->AddMetadata(auth::kInternalProofHeader, kProof);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
  return ctx;
}

struct Pushed {
  grpc::Status status;
  int acks = 0;
  v1::OutcomeCounts counts;
  // project id -> the highest revision an acknowledgement said is stored.
  std::map<std::string, int64_t> acknowledged;
};

void Add(v1::OutcomeCounts& to, const v1::OutcomeCounts& c) {
  to.set_accepted(to.accepted() + c.accepted());
  to.set_updated(to.updated() + c.updated());
  to.set_duplicate(to.duplicate() + c.duplicate());
  to.set_stale(to.stale() + c.stale());
  to.set_conflict(to.conflict() + c.conflict());
  to.set_rejected(to.rejected() + c.rejected());
}

// Streams all batches. `before_batch(b, acks)` runs on the writer before batch b is written.
Pushed Push(v1::TrackingService::Stub& stub,
            const std::function<void(int, const std::function<void(int)>&)>& before_batch) {
  Pushed out;
  auto ctx = PlatformContext(45);  // bounds the whole stream: a hang fails, it never blocks
  auto stream = stub.PushProjects(ctx.get());
  std::mutex mu;
  std::condition_variable cv;
  bool ended = false;
  // Blocks the writer until `n` acknowledgements arrived (or the stream ended).
  auto wait_acks = [&](int n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return out.acks >= n || ended; });
  };
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      if (before_batch) before_batch(b, wait_acks);
      if (!stream->Write(MakeBatch(b))) break;
    }
    stream->WritesDone();
  });
  v1::PushProjectsResponse ack;
  while (stream->Read(&ack)) {
    std::lock_guard<std::mutex> lock(mu);
    ++out.acks;
    Add(out.counts, ack.counts());
    for (const auto& r : ack.results()) {
      if (r.outcome() == v1::RECORD_REJECTED || r.outcome() == v1::RECORD_CONFLICT) continue;
      int64_t& held = out.acknowledged[r.key()];
      held = std::max(held, r.stored_revision());
    }
    cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    ended = true;
  }
  cv.notify_all();
  writer.join();
  out.status = stream->Finish();
  return out;
}

class TrackingPgRestartE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<PrivateCluster>();
    ASSERT_TRUE(cluster_->ok()) << "initdb failed";
    ASSERT_TRUE(cluster_->Start()) << "PostgreSQL did not start";
    // TestDatabase provisions the schema and role as zhigai-admin does, on this cluster.
    setenv("ZHIGAI_TEST_PG_ADMIN", cluster_->admin().c_str(), 1);
    db_ = db::testing::TestDatabase::Create();
    port_ = FreePort();
    env_ = {{"ZHIGAI_DB", db_->ServiceConninfo("tracking")},
            {"ZHIGAI_DB_POOL_SIZE", "4"},
            {"ZHIGAI_INTERNAL_PROOF", kProof},
            {"ZHIGAI_LISTEN", absl::StrCat("127.0.0.1:", port_)},
            {"ZHIGAI_METRICS_LISTEN", absl::StrCat("127.0.0.1:", FreePort())},
            {"ZHIGAI_REGISTRY_ADDR", absl::StrCat("127.0.0.1:", FreePort())},
            {"ZHIGAI_DATA_DIR", ZHIGAI_DATA_DIR},
            {"ZHIGAI_DRAIN_SECONDS", "5"}};
  }
  void TearDown() override {
    proc_.reset();
    db_.reset();
    cluster_.reset();
  }
  std::string Target() const { return absl::StrCat("127.0.0.1:", port_); }

  std::unique_ptr<PrivateCluster> cluster_;
  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<ServiceProcess> proc_;
  int port_ = 0;
  std::map<std::string, std::string> env_;
};

TEST_F(TrackingPgRestartE2E, ResendAfterPostgresRestartStoresEachProjectOnceAtItsNewestRevision) {
  auto started = Clock::now();
  proc_ = std::make_unique<ServiceProcess>(
      ZHIGAI_TRACKING_BINARY, env_, std::vector<std::string>{},
      absl::StrCat(::testing::TempDir(), "/tracking-fault-", port_, ".log"));
  ASSERT_TRUE(WaitServing(Target(), "readiness", 30000)) << proc_->Log();
  auto stub = v1::TrackingService::NewStub(
      grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials()));

  // 1. The push, with the database stopped under it. The writer lets the service catch up to
  // two batches behind, so one or two batches are being written when PostgreSQL dies.
  Pushed first = Push(*stub, [&](int b, const std::function<void(int)>& wait_acks) {
    if (b != kStopAtBatch) return;
    wait_acks(kStopAtBatch - 2);
    cluster_->Stop("immediate");
  });
  ASSERT_FALSE(first.status.ok()) << "the stream cannot finish with the database away";
  // Retryable, not a hang (the 45 s deadline would say DEADLINE_EXCEEDED) and not a refusal.
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << first.status.error_message();
  EXPECT_GE(first.acks, kStopAtBatch - 2);
  EXPECT_LE(first.acks, kStopAtBatch);
  EXPECT_EQ(first.counts.rejected() + first.counts.conflict(), 0);

  // 2. While the database is away: readiness says so, and a push is refused promptly.
  bool not_serving = false;
  for (int i = 0; i < 60 && !not_serving; ++i) {
    not_serving = HealthStatus(Target(), "readiness") == "NOT_SERVING";
    if (!not_serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(not_serving) << "readiness should report the database away";
  EXPECT_EQ(HealthStatus(Target(), ""), "SERVING") << "liveness stays up: no restart wanted";
  {
    v1::BatchPushProjectsRequest req;
    *req.mutable_records() = MakeBatch(0).records();
    req.mutable_records()->DeleteSubrange(10, req.records_size() - 10);
    v1::BatchPushProjectsResponse resp;
    auto ctx = PlatformContext(10);
    auto t0 = Clock::now();
    grpc::Status s = stub->BatchPushProjects(ctx.get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(8)) << "refused, not left to time out";
  }

  // 3. The database back (crash recovery): everything acknowledged is there, at least at the
  // revision the acknowledgement named. Read behind the API, as the superuser.
  ASSERT_TRUE(cluster_->Start());
  {
    auto admin = db_->Admin();
    auto rows = admin->QueryScript("SELECT project_id, revision FROM tracking.projects");
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::map<std::string, int64_t> stored;
    for (int i = 0; i < rows->rows(); ++i) stored[rows->String(i, 0)] = rows->Int64(i, 1);
    ASSERT_GE(first.acknowledged.size(), static_cast<size_t>((kStopAtBatch - 2) * kBatch / 2));
    int lost = 0;
    for (const auto& [id, revision] : first.acknowledged) {
      auto it = stored.find(id);
      if (it == stored.end() || it->second < revision) ++lost;
    }
    EXPECT_EQ(lost, 0) << "acknowledged records must survive the crash";
  }
  // The same process recovers by itself.
  EXPECT_TRUE(WaitServing(Target(), "readiness", 15000)) << proc_->Log();
  ASSERT_EQ(kill(proc_->pid(), 0), 0) << "the service must not have exited";

  // 4. The platform resends everything.
  Pushed resend = Push(*stub, nullptr);
  ASSERT_TRUE(resend.status.ok()) << resend.status.error_message();
  EXPECT_EQ(resend.acks, kBatches);
  EXPECT_EQ(resend.counts.rejected() + resend.counts.conflict(), 0);
  EXPECT_EQ(resend.counts.accepted() + resend.counts.updated() + resend.counts.duplicate() +
                resend.counts.stale(),
            kBatches * kBatch);
  // The revision-1 records after revision 3 are stale in either run, and are never stored.
  EXPECT_GE(resend.counts.stale(), kSubset);

  // 5. The store: each project once, at its newest revision with that revision's fields.
  {
    auto admin = db_->Admin();
    auto totals =
        admin->QueryScript("SELECT count(*), count(DISTINCT project_id) FROM tracking.projects");
    ASSERT_TRUE(totals.ok()) << totals.status();
    EXPECT_EQ(totals->Int64(0, 0), kProjects);
    EXPECT_EQ(totals->Int64(0, 1), kProjects);
    auto rows = admin->QueryScript(
        "SELECT project_id, revision, subsidy_fen, county_outcome, approved_by_both"
        " FROM tracking.projects ORDER BY project_id");
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->rows(), kProjects);
    int wrong = 0;
    std::string first_wrong;
    for (int i = 0; i < kProjects; ++i) {
      int64_t want = NewestRevision(i);
      bool ok = rows->String(i, 0) == absl::StrFormat("PLAT-2025-%07d", i) &&
                rows->Int64(i, 1) == want && rows->Int64(i, 2) == Subsidy(i, want) &&
                rows->String(i, 3) == (want == 3 ? "APPROVED" : "PENDING") &&
                rows->String(i, 4) == (want == 3 ? "t" : "f");
      if (!ok && wrong++ == 0) {
        first_wrong = absl::StrCat(rows->String(i, 0), " rev ", rows->Int64(i, 1), " subsidy ",
                                   rows->Int64(i, 2), " county ", rows->String(i, 3));
      }
    }
    EXPECT_EQ(wrong, 0) << "first wrong row: " << first_wrong;
  }

  // 6. A further full resend adds nothing.
  Pushed again = Push(*stub, nullptr);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.counts.accepted() + again.counts.updated(), 0);

  auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "fault test: %d acknowledged before the stop, %zu projects held; resend accepted %d"
      " updated %d duplicate %d stale %d; %.1f s\n",
      first.acks, first.acknowledged.size(), resend.counts.accepted(), resend.counts.updated(),
      resend.counts.duplicate(), resend.counts.stale(), seconds);
  EXPECT_EQ(proc_->Terminate(20), 0);
}

}  // namespace
}  // namespace zhigai::e2e
