// The policy platform's intake (records by batch and by stream, counts), reconciliation, the
// intake setting and the metrics RPC, against a real PostgreSQL over gRPC.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/db/errors.h"
#include "libs/wire/testing/literals.h"
#include "services/tracking/copy_in.h"
#include "services/tracking/domain/checksum.h"
#include "services/tracking/domain/content_hash.h"
#include "services/tracking/domain/project_counts.h"
#include "services/tracking/tests/fixture.h"
#include "services/tracking/wire.h"

namespace zhigai::tracking {
namespace {

using namespace testing;

v1::ProjectRecord Record(const std::string& id, int64_t revision, const std::string& institution,
                         int year = 2025, bool approved = true,
                         common::v1::ServiceKind kind = common::v1::DIAGNOSIS) {
  v1::ProjectRecord r;
  r.set_project_id(id);
  r.set_revision(revision);
  r.set_institution_credit_code(institution);
  r.set_enterprise_credit_code("91330303MA2H3K4L4J");
  r.set_kind(kind);
  *r.mutable_declaration_date() = wire::testing::D(absl::StrCat(year, "-03-15"));
  r.set_city_outcome(approved ? v1::OUTCOME_APPROVED : v1::OUTCOME_PENDING);
  if (approved) *r.mutable_city_outcome_date() = wire::testing::D(absl::StrCat(year, "-06-01"));
  r.set_county_outcome(approved ? v1::OUTCOME_APPROVED : v1::OUTCOME_PENDING);
  if (approved) *r.mutable_county_outcome_date() = wire::testing::D(absl::StrCat(year, "-05-20"));
  r.set_subsidy_fen(100000 * revision);
  return r;
}

class IntakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = TrackingEnv::Start(); }
  static void TearDownTestSuite() { env_.reset(); }
  static v1::TrackingService::Stub& T() { return env_->tracking(); }
  static auto As(const auth::Principal& p) { return TrackingEnv::As(p); }

  static v1::BatchPushProjectsResponse Push(const std::vector<v1::ProjectRecord>& records) {
    v1::BatchPushProjectsRequest req;
    for (const auto& r : records) *req.add_records() = r;
    v1::BatchPushProjectsResponse resp;
    grpc::Status s = T().BatchPushProjects(As(Platform()).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  static v1::ProjectCountsRow Row(int year, const std::string& code, common::v1::ServiceKind kind,
                                  int64_t declared, int64_t approved, int64_t revision,
                                  const std::string& as_of = "") {
    v1::ProjectCountsRow r;
    r.set_year(year);
    r.set_institution_credit_code(code);
    r.set_kind(kind);
    r.set_declared(declared);
    r.set_approved_by_both(approved);
    r.set_revision(revision);
    if (!as_of.empty()) *r.mutable_as_of() = wire::testing::T(as_of);
    return r;
  }

  static v1::BatchPushProjectCountsResponse PushCounts(
      const std::vector<v1::ProjectCountsRow>& rows) {
    v1::BatchPushProjectCountsRequest req;
    for (const auto& r : rows) *req.add_rows() = r;
    v1::BatchPushProjectCountsResponse resp;
    grpc::Status s = T().BatchPushProjectCounts(As(Platform()).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  static std::string Stored(const std::string& project_id) {
    auto admin = env_->database().Admin();
    auto r = admin->QueryScript(absl::StrCat(
        "SELECT revision || '/' || subsidy_fen FROM tracking.projects WHERE project_id = '",
        project_id, "'"));
    return r.ok() && r->rows() == 1 ? r->String(0, 0) : "";
  }

  static inline std::unique_ptr<TrackingEnv> env_;
};

TEST_F(IntakeTest, EachRecordGetsItsOwnOutcome) {
  std::string inst = Code(201, 1);
  auto first = Push({Record("P201-1", 2, inst), Record("P201-2", 1, inst)});
  ASSERT_EQ(first.results_size(), 2);
  EXPECT_EQ(first.results(0).outcome(), v1::RECORD_ACCEPTED);
  EXPECT_EQ(first.counts().accepted(), 2);

  v1::ProjectRecord conflict = Record("P201-2", 1, inst);
  conflict.set_subsidy_fen(1);  // same revision, other content
  v1::ProjectRecord bad = Record("P201-4", 1, inst);
  bad.clear_county_outcome_date();  // APPROVED without a date
  bad.set_institution_credit_code("91330302123456788Q");
  auto second = Push({Record("P201-1", 2, inst), Record("P201-1", 1, inst),
                      Record("P201-2", 3, inst), conflict, bad, Record("P201-3", 1, inst)});
  ASSERT_EQ(second.results_size(), 6);
  EXPECT_EQ(second.results(0).outcome(), v1::RECORD_DUPLICATE);
  EXPECT_EQ(second.results(1).outcome(), v1::RECORD_STALE);
  EXPECT_EQ(second.results(1).stored_revision(), 2);
  EXPECT_EQ(second.results(2).outcome(), v1::RECORD_UPDATED);
  // Judged in batch order: record 3 comes after revision 3 was stored, so it is STALE.
  EXPECT_EQ(second.results(3).outcome(), v1::RECORD_STALE);
  EXPECT_EQ(second.results(4).outcome(), v1::RECORD_REJECTED);
  std::vector<std::string> fields;
  for (const auto& v : second.results(4).violations()) fields.push_back(v.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"records[4].institution_credit_code",
                                              "records[4].county_outcome_date"}));
  EXPECT_EQ(second.results(5).outcome(), v1::RECORD_ACCEPTED);
  EXPECT_EQ(second.counts().rejected(), 1);
  EXPECT_EQ(second.counts().stale(), 2);
  EXPECT_EQ(Stored("P201-2"), "3/300000");
  EXPECT_EQ(Stored("P201-4"), "");

  // Same revision with other content: CONFLICT, nothing changed.
  v1::ProjectRecord changed = Record("P201-2", 3, inst);
  changed.set_subsidy_fen(5);
  auto third = Push({changed});
  EXPECT_EQ(third.results(0).outcome(), v1::RECORD_CONFLICT);
  EXPECT_EQ(third.results(0).reason(), "REVISION_CONFLICT");
  EXPECT_EQ(Stored("P201-2"), "3/300000");

  // Only the platform pushes; batches are 1..1000.
  v1::BatchPushProjectsRequest req;
  *req.add_records() = Record("P201-9", 1, inst);
  v1::BatchPushProjectsResponse resp;
  EXPECT_EQ(T().BatchPushProjects(As(Inst(inst)).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.clear_records();
  EXPECT_EQ(T().BatchPushProjects(As(Platform()).get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntakeTest, BatchClaimIsChecked) {
  std::string inst = Code(202, 1);
  v1::BatchPushProjectsRequest req;
  *req.add_records() = Record("P202-1", 1, inst);
  *req.add_records() = Record("P202-2", 4, inst);
  req.mutable_claim()->set_record_count(2);
  req.mutable_claim()->set_checksum(RecordsChecksum({{"P202-2", 4}, {"P202-1", 1}}));
  v1::BatchPushProjectsResponse resp;
  ASSERT_TRUE(T().BatchPushProjects(As(Platform()).get(), req, &resp).ok());
  EXPECT_TRUE(resp.check().matched());
  req.mutable_claim()->set_record_count(3);
  ASSERT_TRUE(T().BatchPushProjects(As(Platform()).get(), req, &resp).ok());
  EXPECT_FALSE(resp.check().matched());
  EXPECT_EQ(resp.check().actual_count(), 2);
  EXPECT_EQ(resp.counts().duplicate(), 2);
}

// The data set of the stream tests: `n` projects at revision 1, then the first half again at
// revision 2, in batches of 1000.
std::vector<v1::PushProjectsRequest> StreamBatches(const std::string& prefix,
                                                   const std::string& inst, int n) {
  std::vector<v1::ProjectRecord> all;
  for (int i = 0; i < n; ++i) all.push_back(Record(absl::StrCat(prefix, i), 1, inst));
  for (int i = 0; i < n / 2; ++i) all.push_back(Record(absl::StrCat(prefix, i), 2, inst));
  std::vector<v1::PushProjectsRequest> out;
  for (size_t i = 0; i < all.size(); i += 1000) {
    v1::PushProjectsRequest req;
    req.set_batch_id(absl::StrCat(prefix, "#", i / 1000));
    for (size_t j = i; j < std::min(all.size(), i + 1000); ++j) *req.add_records() = all[j];
    out.push_back(std::move(req));
  }
  return out;
}

TEST_F(IntakeTest, CutOffStreamKeepsAcknowledgedBatchesAndAFullResendEndsAtNewest) {
  std::string inst = Code(203, 1);
  const int n = 4000;
  auto batches = StreamBatches("S203-", inst, n);  // 6 batches
  ASSERT_EQ(batches.size(), 6u);

  // First attempt: the platform's connection dies after three acknowledgements.
  {
    auto ctx = As(Platform());
    auto stream = T().PushProjects(ctx.get());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream->Write(batches[i]));
    v1::PushProjectsResponse ack;
    int acked_records = 0;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(stream->Read(&ack));
      EXPECT_EQ(ack.sequence(), i + 1);
      EXPECT_EQ(ack.counts().accepted(), 1000);
      acked_records += ack.results_size();
    }
    EXPECT_EQ(acked_records, 3000);
    stream->Write(batches[3]);  // in flight when the connection goes
    ctx->TryCancel();
    EXPECT_FALSE(stream->Finish().ok());
  }
  // Every acknowledged record is stored. A batch handed to the store before the cut-off still
  // commits (never half of it): wait until the count settles.
  int64_t kept = -1;
  for (int i = 0; i < 50; ++i) {
    int64_t now = env_->Count("projects", "project_id LIKE 'S203-%'");
    if (now == kept) break;
    kept = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(kept % 1000, 0) << "a batch is stored whole or not at all";
  EXPECT_GE(kept, 3000);
  EXPECT_LE(kept, 4000);

  // The platform resends everything.
  auto ctx = As(Platform());
  auto stream = T().PushProjects(ctx.get());
  std::thread writer([&] {
    for (const auto& b : batches) stream->Write(b);
    stream->WritesDone();
  });
  v1::OutcomeCounts total;
  v1::PushProjectsResponse ack;
  int acks = 0;
  while (stream->Read(&ack)) {
    ++acks;
    total.set_accepted(total.accepted() + ack.counts().accepted());
    total.set_updated(total.updated() + ack.counts().updated());
    total.set_duplicate(total.duplicate() + ack.counts().duplicate());
    total.set_rejected(total.rejected() + ack.counts().rejected());
  }
  writer.join();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(acks, 6);
  EXPECT_EQ(total.rejected(), 0);
  EXPECT_EQ(total.duplicate(), static_cast<int>(kept));
  EXPECT_EQ(total.accepted() + total.updated() + total.duplicate(), 6000);
  EXPECT_EQ(env_->Count("projects", "project_id LIKE 'S203-%'"), n);
  EXPECT_EQ(env_->Count("projects", "project_id LIKE 'S203-%' AND revision = 2"), n / 2);
  EXPECT_EQ(env_->Count("projects", "project_id LIKE 'S203-%' AND revision = 1"), n / 2);
  // And a third full replay adds nothing.
  auto ctx3 = As(Platform());
  auto replay = T().PushProjects(ctx3.get());
  for (const auto& b : batches) ASSERT_TRUE(replay->Write(b));
  replay->WritesDone();
  int duplicates = 0, stale = 0;
  while (replay->Read(&ack)) {
    duplicates += ack.counts().duplicate();
    stale += ack.counts().stale();
  }
  ASSERT_TRUE(replay->Finish().ok());
  EXPECT_EQ(duplicates + stale, 6000);
  EXPECT_EQ(stale, n / 2);  // revision 1 of the first half, now older than what is stored
}

TEST_F(IntakeTest, StreamRefusesAnOversizedBatchButKeepsEarlierOnes) {
  std::string inst = Code(204, 1);
  auto ctx = As(Platform());
  auto stream = T().PushProjects(ctx.get());
  v1::PushProjectsRequest ok, big;
  *ok.add_records() = Record("P204-1", 1, inst);
  for (int i = 0; i < 1001; ++i) *big.add_records() = Record(absl::StrCat("P204-b", i), 1, inst);
  ASSERT_TRUE(stream->Write(ok));
  v1::PushProjectsResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  stream->Write(big);
  stream->WritesDone();
  while (stream->Read(&ack)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Stored("P204-1"), "1/100000");
  EXPECT_EQ(env_->Count("projects", "project_id LIKE 'P204-b%'"), 0);
}

// The binary COPY encoder against a real server: every column type the projects table uses,
// NULL, dates on both sides of 2000, a timestamp with microseconds, text that text-format
// COPY would have to escape; and the server's refusals come back with SQLSTATE and constraint.
TEST_F(IntakeTest, BinaryCopyRoundTripsThroughPostgres) {
  auto admin = env_->database().Admin();
  ASSERT_TRUE(admin
                  ->ExecScript("CREATE TEMP TABLE copy_round_trip (t text PRIMARY KEY, b bigint,"
                               " i int, f boolean, d date, n date, ts timestamptz)")
                  .ok());
  const CopyStatement copy{"test.copy_round_trip",
                           "COPY copy_round_trip FROM STDIN (FORMAT binary)"};
  BinaryCopyRows rows;
  rows.Row(7);
  rows.Text("项目\t\\N\n");
  rows.Int64(-9000000000);
  rows.Int32(2025);
  rows.Bool(true);
  rows.Date(absl::CivilDay(2025, 12, 30));
  rows.Date(std::optional<absl::CivilDay>());
  rows.Timestamp(absl::FromCivil(absl::CivilSecond(2026, 1, 2, 3, 4, 5), absl::UTCTimeZone()) +
                 absl::Microseconds(678901));
  rows.Row(7);
  rows.Text("b");
  rows.Int64(0);
  rows.Int32(-1);
  rows.Bool(false);
  rows.Date(absl::CivilDay(1999, 12, 31));
  rows.Date(absl::CivilDay(2000, 1, 1));
  rows.Timestamp(absl::FromCivil(absl::CivilSecond(1999, 12, 31, 23, 59, 59), absl::UTCTimeZone()));
  std::string data = std::move(rows).Finish();
  ASSERT_TRUE(CopyIn(*admin, copy, data).ok());
  auto r = admin->QueryScript(
      "SELECT t, b, i, f, d, n IS NULL, n,"
      " to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM copy_round_trip ORDER BY "
      "t");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), 2);
  EXPECT_EQ(r->String(0, 0), "b");
  EXPECT_EQ(r->String(0, 1), "0");
  EXPECT_EQ(r->String(0, 2), "-1");
  EXPECT_EQ(r->String(0, 3), "f");
  EXPECT_EQ(r->String(0, 4), "1999-12-31");
  EXPECT_EQ(r->String(0, 6), "2000-01-01");
  EXPECT_EQ(r->String(0, 7), "1999-12-31 23:59:59.000000");
  EXPECT_EQ(r->String(1, 0), "项目\t\\N\n");
  EXPECT_EQ(r->String(1, 1), "-9000000000");
  EXPECT_EQ(r->String(1, 2), "2025");
  EXPECT_EQ(r->String(1, 3), "t");
  EXPECT_EQ(r->String(1, 4), "2025-12-30");
  EXPECT_EQ(r->String(1, 5), "t");
  EXPECT_EQ(r->String(1, 7), "2026-01-02 03:04:05.678901");

  // The same rows again: the primary key refuses them, named as db::ConstraintOf reads it.
  absl::Status again = CopyIn(*admin, copy, data);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_EQ(db::ConstraintOf(again), "copy_round_trip_pkey");
  // A row with a field missing: refused, nothing stored.
  BinaryCopyRows short_row;
  short_row.Row(6);
  short_row.Text("c");
  absl::Status bad = CopyIn(*admin, copy, std::move(short_row).Finish());
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(db::SqlStateOf(bad).empty()) << bad;
  auto count = admin->QueryScript("SELECT count(*) FROM copy_round_trip");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->String(0, 0), "2");
}

// What the push writes by COPY reads back as the validated record, column by column.
TEST_F(IntakeTest, PushedProjectsAreStoredColumnByColumn) {
  std::string inst = Code(206, 1);
  v1::ProjectRecord pending = Record("P206-2", 1, inst, 2025, false, common::v1::SOLUTION_DESIGN);
  auto resp = Push({Record("P206-1", 3, inst), pending});
  ASSERT_EQ(resp.counts().accepted(), 2);
  auto admin = env_->database().Admin();
  auto r = admin->QueryScript(
      "SELECT project_id, revision, content_hash, institution_credit_code,"
      " enterprise_credit_code, kind, declaration_date, year, city_outcome,"
      " coalesce(city_outcome_date::text, 'NULL'), county_outcome,"
      " coalesce(county_outcome_date::text, 'NULL'), approved_by_both, subsidy_fen,"
      " change_seq > 0, abs(extract(epoch FROM now() - updated_at)) < 600"
      " FROM tracking.projects WHERE project_id LIKE 'P206-%' ORDER BY project_id");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), 2);
  auto row = [&](int i) {
    std::vector<std::string> out;
    for (int c = 0; c < 16; ++c) out.push_back(r->String(i, c));
    return out;
  };
  auto hash = [](const v1::ProjectRecord& wire) {
    auto record = ValidateProjectRecord(ProjectInputFromWire(wire));
    return record.ok() ? ProjectRecordHash(*record) : std::string();
  };
  EXPECT_EQ(row(0), (std::vector<std::string>{"P206-1", "3", hash(Record("P206-1", 3, inst)), inst,
                                              "91330303MA2H3K4L4J", "DIAGNOSIS", "2025-03-15",
                                              "2025", "APPROVED", "2025-06-01", "APPROVED",
                                              "2025-05-20", "t", "300000", "t", "t"}));
  EXPECT_EQ(row(1),
            (std::vector<std::string>{"P206-2", "1", hash(pending), inst, "91330303MA2H3K4L4J",
                                      "SOLUTION_DESIGN", "2025-03-15", "2025", "PENDING", "NULL",
                                      "PENDING", "NULL", "f", "100000", "t", "t"}));
}

// Another writer inserts one of the batch's projects after the batch was read and commits
// while the batch's COPY waits on that key: the COPY fails on the primary key, and the batch
// is judged again against what is now stored (here: revision 1, so revision 2 is UPDATED).
TEST_F(IntakeTest, AProjectInsertedDuringThePushIsJudgedAgain) {
  std::string inst = Code(207, 1);
  auto other = env_->database().Admin();
  ASSERT_TRUE(other->ExecScript("BEGIN").ok());
  ASSERT_TRUE(other
                  ->ExecScript(absl::StrCat(
                      "INSERT INTO tracking.projects (project_id, revision, content_hash,"
                      " institution_credit_code, enterprise_credit_code, kind, declaration_date,"
                      " year, city_outcome, county_outcome, approved_by_both, subsidy_fen,"
                      " change_seq, updated_at) VALUES ('P207-1', 1, 'other writer', '",
                      inst,
                      "', '91330303MA2H3K4L4J', 'DIAGNOSIS', '2025-03-15', 2025, 'PENDING',"
                      " 'PENDING', false, 1, 1, now())"))
                  .ok());
  v1::BatchPushProjectsResponse resp;
  std::thread push([&] { resp = Push({Record("P207-1", 2, inst), Record("P207-2", 1, inst)}); });
  // Until the push waits on the other writer's key.
  auto watch = env_->database().Admin();
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    auto w = watch->QueryScript(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock'");
    waiting = w.ok() && w->String(0, 0) != "0";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(waiting) << "the push never waited on the other writer";
  ASSERT_TRUE(other->ExecScript("COMMIT").ok());
  push.join();
  ASSERT_EQ(resp.results_size(), 2);
  EXPECT_EQ(resp.results(0).outcome(), v1::RECORD_UPDATED);
  EXPECT_EQ(resp.results(0).stored_revision(), 2);
  EXPECT_EQ(resp.results(1).outcome(), v1::RECORD_ACCEPTED);
  EXPECT_EQ(Stored("P207-1"), "2/200000");
  EXPECT_EQ(Stored("P207-2"), "1/100000");
}

TEST_F(IntakeTest, YearReconciliationAndIngestSummary) {
  std::string a = Code(205, 1), b = Code(205, 2);
  const int year = 2031;  // a year no other test uses
  Push({Record("P205-1", 1, a, year), Record("P205-2", 2, a, year, false),
        Record("P205-3", 1, b, year, true, common::v1::SOLUTION_DESIGN)});
  v1::ReconcileProjectsRequest claim;
  claim.set_reconciliation_id("rec-205-1");
  claim.set_year(year);
  claim.set_project_count(3);
  claim.set_checksum(RecordsChecksum({{"P205-1", 1}, {"P205-2", 2}, {"P205-3", 1}}));
  v1::ProjectReconciliation rec;
  ASSERT_TRUE(T().ReconcileProjects(As(Platform()).get(), claim, &rec).ok());
  EXPECT_TRUE(rec.matched());
  EXPECT_EQ(rec.stored_checksum(), claim.checksum());

  // The platform holds a newer revision and one more project than zhigai.
  claim.set_reconciliation_id("rec-205-2");
  claim.set_project_count(4);
  claim.set_checksum(RecordsChecksum({{"P205-1", 1}, {"P205-2", 3}, {"P205-3", 1}, {"P205-4", 1}}));
  auto* ia = claim.add_institutions();
  ia->set_credit_code(a);
  ia->set_project_count(3);
  auto* ib = claim.add_institutions();
  ib->set_credit_code(b);
  ib->set_project_count(1);
  ASSERT_TRUE(T().ReconcileProjects(As(Platform()).get(), claim, &rec).ok());
  EXPECT_FALSE(rec.matched());
  EXPECT_EQ(rec.stored_count(), 3);
  ASSERT_EQ(rec.differences_size(), 1);
  EXPECT_EQ(rec.differences(0).credit_code(), a);
  EXPECT_EQ(rec.differences(0).claimed_count(), 3);
  EXPECT_EQ(rec.differences(0).stored_count(), 2);
  // Idempotent on the reconciliation id.
  v1::ProjectReconciliation again;
  ASSERT_TRUE(T().ReconcileProjects(As(Platform()).get(), claim, &again).ok());
  EXPECT_EQ(again.name(), rec.name());
  EXPECT_EQ(env_->Count("reconciliations", absl::StrCat("year = ", year)), 2);

  v1::GetIngestSummaryRequest sreq;
  sreq.set_year(year);
  v1::IngestSummary summary;
  ASSERT_TRUE(T().GetIngestSummary(As(City()).get(), sreq, &summary).ok());
  EXPECT_EQ(summary.projects(), 3);
  EXPECT_EQ(summary.intake_mode(), v1::RECORDS);
  ASSERT_EQ(summary.institutions_size(), 2);
  const auto& sa = summary.institutions(0).credit_code() == a ? summary.institutions(0)
                                                              : summary.institutions(1);
  EXPECT_EQ(sa.declared_diagnosis(), 2);
  EXPECT_EQ(sa.approved_diagnosis(), 1);
  EXPECT_EQ(sa.pending(), 1);
  EXPECT_EQ(summary.last_reconciliation().name(), rec.name());
  // An institution sees only itself, without the platform's reconciliation.
  ASSERT_TRUE(T().GetIngestSummary(As(Inst(b)).get(), sreq, &summary).ok());
  ASSERT_EQ(summary.institutions_size(), 1);
  EXPECT_EQ(summary.institutions(0).approved_solution_design(), 1);
  EXPECT_FALSE(summary.has_last_reconciliation());
  sreq.set_institution_credit_code(a);
  EXPECT_EQ(T().GetIngestSummary(As(Inst(b)).get(), sreq, &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IntakeTest, CountsRowsAreIdempotentOnTheirRevision) {
  std::string inst = Code(206, 1);
  const int year = 2032;
  auto first =
      PushCounts({Row(year, inst, common::v1::DIAGNOSIS, 10, 7, 2, "2033-01-05T08:00:00+08:00")});
  EXPECT_EQ(first.results(0).outcome(), v1::RECORD_ACCEPTED);
  auto second = PushCounts({
      Row(year, inst, common::v1::DIAGNOSIS, 10, 7, 2, "2033-01-05T08:00:00+08:00"),  // repeat
      Row(year, inst, common::v1::DIAGNOSIS, 9, 6, 1),                                // older
      Row(year, inst, common::v1::DIAGNOSIS, 11, 7, 3),                               // newer
      Row(year, inst, common::v1::DIAGNOSIS, 12, 7, 3),                               // conflict
      Row(year, inst, common::v1::SOLUTION_DESIGN, 3, 4, 1),   // approved > declared
      Row(year, inst, common::v1::SOLUTION_DESIGN, -1, 0, 1),  // negative
      Row(year, inst, common::v1::TRAINING_SERVICE, 1, 0, 1),  // not a consulting kind
  });
  ASSERT_EQ(second.results_size(), 7);
  EXPECT_EQ(second.results(0).outcome(), v1::RECORD_DUPLICATE);
  EXPECT_EQ(second.results(1).outcome(), v1::RECORD_STALE);
  EXPECT_EQ(second.results(1).stored_revision(), 2);
  EXPECT_EQ(second.results(2).outcome(), v1::RECORD_UPDATED);
  EXPECT_EQ(second.results(3).outcome(), v1::RECORD_CONFLICT);
  EXPECT_EQ(second.results(4).outcome(), v1::RECORD_REJECTED);
  EXPECT_EQ(second.results(4).violations(0).field(), "rows[4].approved_by_both");
  EXPECT_EQ(second.results(5).violations(0).field(), "rows[5].declared");
  EXPECT_EQ(second.results(6).violations(0).field(), "rows[6].kind");

  // Every distinct revision is kept; the highest is current.
  v1::ListProjectCountRevisionsRequest list;
  list.set_year(year);
  v1::ListProjectCountRevisionsResponse history;
  ASSERT_TRUE(T().ListProjectCountRevisions(As(City()).get(), list, &history).ok());
  ASSERT_EQ(history.revisions_size(), 3);
  EXPECT_EQ(history.revisions(0).row().revision(), 1);
  EXPECT_FALSE(history.revisions(0).current());
  EXPECT_EQ(wire::TimestampText(history.revisions(1).row().as_of()), "2033-01-05T00:00:00.000000Z");
  EXPECT_EQ(history.revisions(2).row().declared(), 11);
  EXPECT_TRUE(history.revisions(2).current());
  EXPECT_EQ(T().ListProjectCountRevisions(As(Inst(inst)).get(), list, &history).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Issue 21 item 11 (issue 12's promise): a counts row may carry an as-of instant instead of a
// revision; the later instant wins, a key never mixes the two orders, figures are int64 end to
// end, and the metrics name the platform row behind each figure.
TEST_F(IntakeTest, CountsRowsWithoutRevisionAreOrderedByAsOfAndNeverMixed) {
  std::string a = Code(209, 1), b = Code(209, 2);
  const int year = 2036;
  // The bound per kind and year (issue 27 item 5); above it a row is refused.
  const int64_t big_declared = kMaxProjectsPerKindAndYear, big_approved = 999'000;
  auto first = PushCounts({Row(year, a, common::v1::DIAGNOSIS, 5, 3, 0, "2037-01-05T00:00:00Z"),
                           Row(year, b, common::v1::DIAGNOSIS, 2, 1, 1)});
  EXPECT_EQ(first.results(0).outcome(), v1::RECORD_ACCEPTED);
  EXPECT_EQ(
      first.results(0).stored_revision(),
      absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(2037, 1, 5), absl::UTCTimeZone())));
  EXPECT_EQ(first.results(1).outcome(), v1::RECORD_ACCEPTED);
  auto second = PushCounts({
      Row(year, a, common::v1::DIAGNOSIS, 4, 2, 0, "2037-01-04T23:59:59Z"),  // earlier
      Row(year, a, common::v1::DIAGNOSIS, big_declared, big_approved, 0,
          "2037-01-06T08:00:00+08:00"),                                         // later
      Row(year, a, common::v1::DIAGNOSIS, 6, 3, 9),                             // mixed
      Row(year, b, common::v1::DIAGNOSIS, 3, 1, 0, "2037-01-07T00:00:00Z"),     // mixed
      Row(year, a, common::v1::SOLUTION_DESIGN, 1, 1, 0),                       // neither
      Row(year, b, common::v1::SOLUTION_DESIGN, int64_t{5'000'000'000}, 1, 1),  // too many
  });
  ASSERT_EQ(second.results_size(), 6);
  EXPECT_EQ(second.results(5).outcome(), v1::RECORD_REJECTED);
  EXPECT_EQ(second.results(5).violations(0).field(), "rows[5].declared");
  EXPECT_EQ(second.results(0).outcome(), v1::RECORD_STALE);
  EXPECT_EQ(second.results(1).outcome(), v1::RECORD_UPDATED);
  for (int i : {2, 3}) {
    EXPECT_EQ(second.results(i).outcome(), v1::RECORD_REJECTED) << i;
    EXPECT_EQ(second.results(i).reason(), "ORDERING_MIXED") << i;
    ASSERT_EQ(second.results(i).violations_size(), 1) << i;
    EXPECT_EQ(second.results(i).violations(0).field(), absl::StrCat("rows[", i, "].revision"));
    EXPECT_EQ(second.results(i).violations(0).rule(), "S1.1");
  }
  EXPECT_EQ(second.results(4).outcome(), v1::RECORD_REJECTED);
  EXPECT_EQ(second.results(4).violations(0).field(), "rows[4].revision");
  // The refused rows changed nothing: b stays at revision 1, a's history has its two instants.
  auto admin = env_->database().Admin();
  auto hist = admin->QueryScript(
      absl::StrCat("SELECT count(*) FILTER (WHERE institution_credit_code = '", a,
                   "' AND ordered_by_as_of), count(*) FILTER (WHERE institution_credit_code = '", b,
                   "') FROM tracking.project_count_revisions WHERE year = ", year));
  EXPECT_EQ(hist->String(0, 0), "3");  // the earlier, the first and the later instant
  EXPECT_EQ(hist->String(0, 1), "1");

  v1::SetIntakeModeRequest set;
  set.set_year(year);
  set.set_mode(v1::COUNTS);
  v1::IntakeSetting setting;
  ASSERT_TRUE(T().SetIntakeMode(As(City()).get(), set, &setting).ok());
  v1::BatchGetProjectMetricsRequest mreq;
  mreq.set_year(year);
  v1::BatchGetProjectMetricsResponse m;
  ASSERT_TRUE(T().BatchGetProjectMetrics(As(Service()).get(), mreq, &m).ok());
  ASSERT_EQ(m.metrics_size(), 2);
  const auto& ma = m.metrics(0).credit_code() == a ? m.metrics(0) : m.metrics(1);
  const auto& mb = m.metrics(0).credit_code() == a ? m.metrics(1) : m.metrics(0);
  EXPECT_EQ(ma.declared_diagnosis_count(), big_declared);
  EXPECT_EQ(ma.approved_diagnosis_count(), big_approved);
  EXPECT_EQ(ma.declared_diagnosis(), big_declared);  // the int32 copy, while it fits
  ASSERT_EQ(ma.counts_used_size(), 1);
  EXPECT_EQ(ma.counts_used(0).kind(), common::v1::DIAGNOSIS);
  EXPECT_EQ(ma.counts_used(0).revision(), 0);
  EXPECT_EQ(wire::TimestampText(ma.counts_used(0).as_of()), "2037-01-06T00:00:00.000000Z");
  ASSERT_EQ(mb.counts_used_size(), 1);
  EXPECT_EQ(mb.counts_used(0).revision(), 1);
  EXPECT_EQ(mb.declared_diagnosis_count(), 2);
}

TEST_F(IntakeTest, TwoRevisionsEndInTheSameStateInEitherOrder) {
  std::string a = Code(207, 1), b = Code(207, 2), c = Code(207, 3);
  const int year = 2033;
  auto r1 = [&](const std::string& code) {
    return Row(year, code, common::v1::DIAGNOSIS, 5, 2, 1);
  };
  auto r2 = [&](const std::string& code) {
    return Row(year, code, common::v1::DIAGNOSIS, 6, 4, 2);
  };
  PushCounts({r1(a)});
  PushCounts({r2(a)});
  PushCounts({r2(b)});
  auto late = PushCounts({r1(b)});
  EXPECT_EQ(late.results(0).outcome(), v1::RECORD_STALE);
  // And both at the same time, many times over, for c.
  for (int i = 0; i < 5; ++i) {
    std::string code = Code(207, 10 + i);
    std::thread t1([&] { PushCounts({r1(code)}); });
    std::thread t2([&] { PushCounts({r2(code)}); });
    t1.join();
    t2.join();
  }
  (void)c;
  auto state = [&](const std::string& code) {
    auto admin = env_->database().Admin();
    auto cur = admin->QueryScript(absl::StrCat(
        "SELECT revision || ':' || declared || ':' || approved_by_both FROM tracking.project_counts"
        " WHERE institution_credit_code = '",
        code, "'"));
    auto hist = admin->QueryScript(
        absl::StrCat("SELECT string_agg(revision || ':' || declared, ',' ORDER BY revision)"
                     " FROM tracking.project_count_revisions WHERE institution_credit_code = '",
                     code, "'"));
    return cur->String(0, 0) + "|" + hist->String(0, 0);
  };
  EXPECT_EQ(state(a), "2:6:4|1:5,2:6");
  EXPECT_EQ(state(b), state(a));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(state(Code(207, 10 + i)), state(a));
}

TEST_F(IntakeTest, IntakeModeDecidesTheMetricsAndTheOtherIsReconciled) {
  std::string a = Code(208, 1), b = Code(208, 2), none = Code(208, 3);
  const int year = 2034;
  Push({Record("P208-1", 1, a, year), Record("P208-2", 1, a, year, false),
        Record("P208-3", 1, a, year, true, common::v1::SOLUTION_DESIGN),
        Record("P208-4", 1, b, year)});
  // City approved, county rejected: declared but not approved (S1.1 needs both).
  v1::ProjectRecord half = Record("P208-5", 1, b, year);
  half.set_county_outcome(v1::OUTCOME_REJECTED);
  Push({half});

  v1::BatchGetProjectMetricsRequest mreq;
  mreq.set_year(year);
  v1::BatchGetProjectMetricsResponse m;
  ASSERT_TRUE(T().BatchGetProjectMetrics(As(Service()).get(), mreq, &m).ok());
  EXPECT_EQ(m.intake_mode(), v1::RECORDS);
  ASSERT_EQ(m.metrics_size(), 2);
  const auto& ma = m.metrics(0).credit_code() == a ? m.metrics(0) : m.metrics(1);
  const auto& mb = m.metrics(0).credit_code() == a ? m.metrics(1) : m.metrics(0);
  EXPECT_EQ(ma.declared_diagnosis(), 2);
  EXPECT_EQ(ma.approved_diagnosis(), 1);
  EXPECT_EQ(ma.declared_solution_design(), 1);
  EXPECT_EQ(ma.approved_solution_design(), 1);
  EXPECT_EQ(mb.declared_diagnosis(), 2);
  EXPECT_EQ(mb.approved_diagnosis(), 1);
  EXPECT_TRUE(m.has_as_of());
  std::string records_revision = m.source_revision();
  EXPECT_EQ(records_revision.rfind(absl::StrCat("records:", year, ":"), 0), 0u);
  // Asking for named institutions: an institution without data gets zeros.
  mreq.add_credit_codes(none);
  mreq.add_credit_codes(a);
  ASSERT_TRUE(T().BatchGetProjectMetrics(As(City()).get(), mreq, &m).ok());
  ASSERT_EQ(m.metrics_size(), 2);
  EXPECT_EQ(m.metrics(0).credit_code(), std::min(a, none));
  for (const auto& x : m.metrics()) {
    if (x.credit_code() == none) {
      EXPECT_EQ(x.declared_diagnosis(), 0);
    }
  }
  EXPECT_EQ(T().BatchGetProjectMetrics(As(Inst(a)).get(), mreq, &m).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  mreq.clear_credit_codes();

  // The counts intake says something else for a.
  PushCounts({Row(year, a, common::v1::DIAGNOSIS, 2, 1, 1, "2035-01-10T00:00:00Z"),
              Row(year, a, common::v1::SOLUTION_DESIGN, 2, 2, 1, "2035-01-10T00:00:00Z"),
              Row(year, b, common::v1::DIAGNOSIS, 2, 1, 1, "2035-01-09T00:00:00Z")});

  // Only the city sets the mode, with the version it read.
  v1::SetIntakeModeRequest set;
  set.set_year(year);
  set.set_mode(v1::COUNTS);
  v1::IntakeSetting setting;
  EXPECT_EQ(T().SetIntakeMode(As(County("330302")).get(), set, &setting).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(T().SetIntakeMode(As(City()).get(), set, &setting).ok());
  EXPECT_EQ(setting.mode(), v1::COUNTS);
  EXPECT_EQ(setting.version(), 1);
  EXPECT_EQ(T().SetIntakeMode(As(City()).get(), set, &setting).error_code(),
            grpc::StatusCode::ABORTED);

  ASSERT_TRUE(T().BatchGetProjectMetrics(As(Service()).get(), mreq, &m).ok());
  EXPECT_EQ(m.intake_mode(), v1::COUNTS);
  EXPECT_EQ(wire::TimestampText(m.as_of()), "2035-01-10T00:00:00.000000Z");
  EXPECT_EQ(m.source_revision().rfind(absl::StrCat("counts:", year, ":"), 0), 0u);
  const auto& ca = m.metrics(0).credit_code() == a ? m.metrics(0) : m.metrics(1);
  EXPECT_EQ(ca.declared_solution_design(), 2);
  EXPECT_EQ(ca.approved_solution_design(), 2);

  v1::GetIntakeReconciliationRequest rreq;
  rreq.set_year(year);
  v1::IntakeReconciliation rec;
  ASSERT_TRUE(T().GetIntakeReconciliation(As(City()).get(), rreq, &rec).ok());
  EXPECT_EQ(rec.mode(), v1::COUNTS);
  EXPECT_TRUE(rec.has_records());
  EXPECT_TRUE(rec.has_counts());
  EXPECT_FALSE(rec.matched());
  ASSERT_EQ(rec.differences_size(), 1);
  EXPECT_EQ(rec.differences(0).credit_code(), a);
  EXPECT_EQ(rec.differences(0).kind(), common::v1::SOLUTION_DESIGN);
  EXPECT_EQ(rec.differences(0).records_declared(), 1);
  EXPECT_EQ(rec.differences(0).counts_declared(), 2);

  // Back to records: the same figures as before the switch.
  set.set_mode(v1::RECORDS);
  set.set_version(1);
  ASSERT_TRUE(T().SetIntakeMode(As(City()).get(), set, &setting).ok());
  ASSERT_TRUE(T().BatchGetProjectMetrics(As(Service()).get(), mreq, &m).ok());
  EXPECT_EQ(m.source_revision(), records_revision);
}

TEST_F(IntakeTest, ProjectRecordsBehindAFigureReadBackWithTheirDataState) {
  // Issue 28: the records a published S1.1/S1.2 figure counted can be listed, and the list
  // carries the same data state string the evaluation snapshot recorded.
  std::string a = Code(209, 1), b = Code(209, 2);
  const int year = 2035;
  v1::ProjectRecord rejected = Record("P209-2", 1, a, year);
  rejected.set_county_outcome(v1::OUTCOME_REJECTED);
  Push({Record("P209-1", 1, a, year), rejected,
        Record("P209-3", 1, a, year, true, common::v1::SOLUTION_DESIGN),
        Record("P209-4", 1, b, year)});
  Push({Record("P209-1", 2, a, year)});  // a newer revision replaces the first

  v1::BatchGetProjectMetricsRequest mreq;
  mreq.set_year(year);
  v1::BatchGetProjectMetricsResponse m;
  ASSERT_TRUE(T().BatchGetProjectMetrics(As(Service()).get(), mreq, &m).ok());

  v1::ListProjectRecordsRequest req;
  req.set_year(year);
  req.set_institution_credit_code(a);
  v1::ListProjectRecordsResponse page;
  ASSERT_TRUE(T().ListProjectRecords(As(City()).get(), req, &page).ok());
  EXPECT_EQ(page.data_revision(), m.source_revision());
  ASSERT_EQ(page.projects_size(), 3);
  EXPECT_EQ(page.projects(0).record().project_id(), "P209-1");
  EXPECT_EQ(page.projects(0).record().revision(), 2);
  EXPECT_TRUE(page.projects(0).approved_by_both());
  EXPECT_EQ(page.projects(1).record().county_outcome(), v1::OUTCOME_REJECTED);
  EXPECT_FALSE(page.projects(1).approved_by_both());
  EXPECT_EQ(page.projects(2).record().kind(), common::v1::SOLUTION_DESIGN);
  // The listed records give the figures: declared = records, approved = approved_by_both.
  int64_t declared = 0, approved = 0;
  for (const auto& p : page.projects()) {
    if (p.record().kind() != common::v1::DIAGNOSIS) continue;
    ++declared;
    approved += p.approved_by_both();
  }
  const auto& ma = m.metrics(0).credit_code() == a ? m.metrics(0) : m.metrics(1);
  EXPECT_EQ(declared, ma.declared_diagnosis_count());
  EXPECT_EQ(approved, ma.approved_diagnosis_count());

  // Paging over both institutions, one record at a time, loses and repeats nothing.
  v1::ListProjectRecordsRequest all;
  all.set_year(year);
  all.set_page_size(1);
  std::vector<std::string> seen;
  do {
    ASSERT_TRUE(T().ListProjectRecords(As(Service()).get(), all, &page).ok());
    for (const auto& p : page.projects()) seen.push_back(p.record().project_id());
    all.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"P209-1", "P209-2", "P209-3", "P209-4"}));

  // An institution reads its own; another's is refused; bad filters name the field.
  v1::ListProjectRecordsRequest own;
  own.set_year(year);
  ASSERT_TRUE(T().ListProjectRecords(As(Inst(b)).get(), own, &page).ok());
  ASSERT_EQ(page.projects_size(), 1);
  EXPECT_EQ(page.projects(0).record().institution_credit_code(), b);
  own.set_institution_credit_code(a);
  EXPECT_EQ(T().ListProjectRecords(As(Inst(b)).get(), own, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  own.set_year(0);
  EXPECT_EQ(T().ListProjectRecords(As(City()).get(), own, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A later push changes the data state: the list says so, and the changed record shows it.
  Push({Record("P209-4", 2, b, year)});
  req.clear_institution_credit_code();
  ASSERT_TRUE(T().ListProjectRecords(As(City()).get(), req, &page).ok());
  EXPECT_NE(page.data_revision(), m.source_revision());
  const int64_t snapshot_seq =
      std::stoll(m.source_revision().substr(m.source_revision().rfind(':') + 1));
  int changed = 0;
  for (const auto& p : page.projects()) changed += p.change_seq() > snapshot_seq;
  EXPECT_EQ(changed, 1);
}

}  // namespace
}  // namespace zhigai::tracking
