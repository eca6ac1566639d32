// A round of the evaluation service, phase by phase, on real PostgreSQL:
//   part 1: 10,000 synthetic institutions seeded into the snapshot as if pulled (the store's
//           own ReplaceSnapshot), then freeze, defence, load, compute, rank, assemble the
//           exports, store the sheets — each phase timed — against a plain SELECT of the same
//           snapshot rows in the same run; compute + rank at 1k…10k to show n log n; peak RSS.
//   part 2: the real pull (registry, tracking, training, feedback in-process over gRPC) for
//           1,000 institutions, against plain SELECTs of the sources' own rows.
// Needs ZHIGAI_TEST_PG_ADMIN (like the integration tests). Prints a table for
// docs/benchmarks.md; BENCH_RSS=1 also prints the peak RSS after every timed phase (stderr).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/core/credit_code.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/host.h"
#include "libs/wire/testing/literals.h"
#include "services/evaluation/compute.h"
#include "services/evaluation/domain/testing/rules.h"
#include "services/evaluation/handlers.h"
#include "services/evaluation/store.h"
#include "services/evaluation/tests/real_sources.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Evaluation();
}

namespace zhigai::evaluation {
namespace {

constexpr int kYear = 2030;
constexpr int kInstitutions = 10000;
constexpr int kPulled = 1000;

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

template <typename Fn>
absl::Duration Time(Fn&& fn) {
  absl::Time start = absl::Now();
  fn();
  absl::Duration d = absl::Now() - start;
  if (getenv("BENCH_RSS"))
    std::fprintf(stderr, "peak RSS so far %.1f MiB\n", PeakRssKiB() / 1024.0);
  return d;
}

[[noreturn]] void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

std::string BenchCode(int n) {
  std::string first17 = absl::StrFormat("9133030000BN%05d", n);
  return first17 + *core::CreditCodeCheckChar(first17);
}

// Deterministic synthetic institutions with many ties (small ranges), 1% barred.
PulledSnapshot Synthetic(int n) {
  std::mt19937_64 rng(20300101);
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  PulledSnapshot out;
  for (int i = 0; i < n; ++i) {
    SnapshotInstitution in;
    in.credit_code = BenchCode(i);
    in.display_name = absl::StrCat("基准机构", i);
    in.directory_years = {kYear};
    in.declared_diagnosis = pick(0, 12);
    in.declared_solution_design = pick(0, 12);
    in.approved_diagnosis = pick(0, in.declared_diagnosis);
    in.approved_solution_design = pick(0, in.declared_solution_design);
    for (int t = static_cast<int>(pick(0, 3)); t > 0; --t) {
      in.tests.push_back({absl::StrCat("testSessions/", t), pick(0, 100) * 100, 10000, false});
    }
    in.content = {pick(0, 4), pick(0, 3), pick(0, 2), pick(0, 1)};
    in.results = {pick(0, 4), pick(0, 3), pick(0, 2), pick(0, 1)};
    in.verified_complaints = pick(0, 2);
    if (pick(0, 99) == 0) {
      in.exclusion = Exclusion::kBarred;
      in.exclusion_source = absl::StrCat("sanctions/", i);
    }
    out.institutions.push_back(std::move(in));
  }
  for (const char* s : {"registry", "tracking", "training", "feedback"}) {
    out.sources.push_back({s, "synthetic", kYear, absl::Now(), n, "", "", ""});
  }
  return out;
}

constexpr db::Statement kPlainSnapshot{
    "bench.plain_snapshot",
    "SELECT i.*, t.* FROM evaluation.snapshot_institutions i LEFT JOIN evaluation.snapshot_tests t"
    " USING (year, credit_code) WHERE i.year = $1",
    60000};

void Row(const char* phase, absl::Duration d, const std::string& note = "") {
  std::printf("| %-44s | %10.1f | %s\n", phase, Ms(d), note.c_str());
}

int RoundPart(db::testing::TestDatabase& database) {
  db::Pool pool({database.ServiceConninfo("evaluation"), 4});
  if (auto s = server::Migrate(pool, "evaluation", migrations::Evaluation()); !s.ok()) {
    Die("migrate", s);
  }
  EvaluationStore store(pool, [] { return absl::Now(); });
  Change change{{"bench", "CITY_BUREAU", "bench"}, "bench"};
  if (auto r = store.CreateRound(change, "bench-round", kYear, false, 1); !r.ok())
    Die("round", r.status());

  PulledSnapshot snapshot;
  absl::Duration generate = Time([&] { snapshot = Synthetic(kInstitutions); });
  absl::StatusOr<v1::Snapshot> stored;
  absl::Duration seed = Time([&] { stored = store.ReplaceSnapshot(change, kYear, snapshot); });
  if (!stored.ok()) Die("seed", stored.status());

  // The plain SELECT of the same rows: warm once, then time the best of three.
  absl::Duration plain = absl::InfiniteDuration();
  int plain_rows = 0;
  for (int i = 0; i < 4; ++i) {
    absl::Duration d = Time([&] {
      auto r = pool.Exec(kPlainSnapshot, {kYear});
      if (!r.ok()) Die("plain select", r.status());
      plain_rows = r->rows();
    });
    if (i > 0) plain = std::min(plain, d);
  }

  auto round = store.GetRound(kYear);
  if (!round.ok()) Die("get", round.status());
  absl::Duration freeze = Time([&] {
    auto r = store.Freeze(change, kYear, round->version());
    if (!r.ok()) Die("freeze", r.status());
  });
  absl::Duration defence = Time([&] {
    std::mt19937_64 rng(7);
    for (int from = 0; from < kInstitutions; from += 1000) {
      std::vector<DefenceEntryInput> entries;
      for (int i = from; i < from + 1000 && i < kInstitutions; ++i) {
        std::vector<int64_t> scores;
        for (int m = 0; m < 5; ++m) scores.push_back(5000 + static_cast<int64_t>(rng() % 5001));
        entries.push_back({BenchCode(i), scores});
      }
      auto r = store.RecordDefence(change, kYear, entries);
      if (!r.ok()) Die("defence", r.status());
    }
  });

  absl::StatusOr<RoundInputs> inputs;
  absl::Duration load = Time([&] { inputs = store.LoadInputs(kYear); });
  if (!inputs.ok()) Die("load", inputs.status());
  absl::StatusOr<std::vector<ScoreSheet>> sheets;
  absl::Duration compute = Time([&] { sheets = ScoreRound(inputs->inputs, TestRulesV1()); });
  if (!sheets.ok()) Die("compute", sheets.status());
  absl::StatusOr<Ranking> ranking;
  absl::Duration rank = Time([&] { ranking = RankRound(*sheets, TestRulesV1()); });
  if (!ranking.ok()) Die("rank", ranking.status());
  ComputedRound computed;
  absl::Duration assemble = Time([&] { computed = AssembleRound(kYear, *sheets, *ranking); });
  absl::Duration save = Time([&] {
    auto r = store.StoreRanking(change, kYear, inputs->version, computed, "");
    if (!r.ok()) Die("store", r.status());
  });
  long rss = PeakRssKiB();
  // ExportScoreSheets of every sheet: recomputed from the frozen inputs on demand.
  absl::StatusOr<std::string> csv, json;
  absl::Duration export_csv = Time([&] {
    auto again = store.LoadInputs(kYear);
    if (!again.ok()) Die("export load", again.status());
    csv = ExportSheets(again->inputs, TestRulesV1(), true);
  });
  absl::Duration export_json =
      Time([&] { json = ExportSheets(inputs->inputs, TestRulesV1(), false); });
  if (!csv.ok() || !json.ok()) Die("export", csv.ok() ? json.status() : csv.status());
  long rss_export = PeakRssKiB();
  // Replay check on the benchmark's own round: stored sheets and ranking vs recomputed.
  auto replay = ComputeRound(kYear, inputs->inputs, TestRulesV1());
  auto stored_ranking = store.GetExport(kYear, "RANKING", "JSON");
  auto stored_first = store.GetSheet(kYear, replay->sheets[0].credit_code());
  bool identical = replay.ok() && stored_ranking.ok() && stored_first.ok() &&
                   replay->ranking_json == *stored_ranking &&
                   replay->sheets[0].SerializeAsString() == stored_first->SerializeAsString();

  absl::Duration after_freeze = load + compute + rank + assemble + save;
  std::printf(
      "\n## Evaluation round of %d synthetic institutions (%zu excellent, %zu not ranked)\n\n",
      kInstitutions,
      static_cast<size_t>(std::count_if(computed.sheets.begin(), computed.sheets.end(),
                                        [](const v1::ScoreSheet& s) { return s.excellent(); })),
      ranking->not_ranked.size());
  std::printf("| %-44s | %10s |\n|---|---:|---|\n", "phase", "ms");
  Row("generate synthetic snapshot (in memory)", generate);
  Row("store snapshot as pulled (ReplaceSnapshot)", seed, absl::StrCat(kInstitutions, " rows"));
  Row("plain SELECT of the same snapshot rows", plain,
      absl::StrCat(plain_rows, " rows, best of 3"));
  Row("freeze", freeze);
  Row("record defence (10 x 1000 entries, 5 members)", defence);
  Row("load inputs (snapshot + defence)", load);
  Row("compute score sheets", compute);
  Row("rank (S4)", rank);
  Row("assemble sheets + ranking exports", assemble);
  Row("store sheets + ranking (-> RANKED)", save);
  Row("ComputeRanking total (load ... store)", after_freeze,
      absl::StrFormat("ratio to plain SELECT: %.1fx", Ms(after_freeze) / Ms(plain)));
  Row("export all sheets CSV (load + compute + format)", export_csv,
      absl::StrFormat("%.1f MiB", csv->size() / 1048576.0));
  Row("export all sheets JSON (compute + format)", export_json,
      absl::StrFormat("%.1f MiB", json->size() / 1048576.0));
  std::printf(
      "\nreplay byte-identical: %s; peak RSS after the round: %.1f MiB, after the exports "
      "%.1f MiB (limit 256)\n",
      identical ? "yes" : "NO", rss / 1024.0, rss_export / 1024.0);

  // Growth of compute + rank (pure): time per institution should grow at most like log n.
  std::printf("\n| n | compute+rank ms | µs per institution |\n|---:|---:|---:|\n");
  for (int n : {1000, 2000, 5000, 10000}) {
    std::vector<InstitutionInput> part(inputs->inputs.begin(), inputs->inputs.begin() + n);
    absl::Duration best = absl::InfiniteDuration();
    for (int rep = 0; rep < 3; ++rep) {
      best = std::min(best, Time([&] {
                        auto s = ScoreRound(part, TestRulesV1());
                        auto r = RankRound(*s, TestRulesV1());
                        if (!r.ok()) Die("rank", r.status());
                      }));
    }
    std::printf("| %d | %.1f | %.2f |\n", n, Ms(best), Ms(best) * 1000.0 / n);
  }
  return rss_export > 256 * 1024 ? 1 : 0;
}

int PullPart(db::testing::TestDatabase& database) {
  const int year = kYear + 10;
  testing::RealSources real(database, year);
  const auth::Principal city{auth::Role::kCityBureau, "city-1", "", "330300"};
  const auth::Principal platform{auth::Role::kPolicyPlatform, "policy-platform", "", ""};
  std::vector<std::string> codes;
  absl::Duration seed = Time([&] {
    for (int i = 0; i < kPulled; ++i) {
      codes.push_back(testing::RealCode(100000 + i));
      if (!real.Admit(codes.back(), absl::StrCat("拉取机构", i), {year})) std::exit(1);
    }
    tracking::v1::BatchPushProjectsRequest push;
    push.set_batch_id("bench");
    for (int i = 0; i < kPulled; ++i) {
      auto& r = *push.add_records();
      r.set_project_id(absl::StrCat("B-", i));
      r.set_revision(1);
      r.set_institution_credit_code(codes[i]);
      r.set_enterprise_credit_code(testing::RealCode(999999));
      r.set_kind(i % 2 ? common::v1::DIAGNOSIS : common::v1::SOLUTION_DESIGN);
      *r.mutable_declaration_date() = wire::testing::D(absl::StrCat(year - 1, "-03-15"));
      r.set_city_outcome(tracking::v1::OUTCOME_APPROVED);
      *r.mutable_city_outcome_date() = wire::testing::D(absl::StrCat(year - 1, "-06-01"));
      r.set_county_outcome(tracking::v1::OUTCOME_APPROVED);
      *r.mutable_county_outcome_date() = wire::testing::D(absl::StrCat(year - 1, "-05-20"));
    }
    tracking::v1::BatchPushProjectsResponse pushed;
    grpc::Status s =
        real.tracking().BatchPushProjects(testing::AsPrincipal(platform).get(), push, &pushed);
    if (!s.ok()) Die("push", absl::UnknownError(s.error_message()));
    training::v1::CreateTestSessionRequest session_req;
    session_req.set_request_id("bench-session");
    session_req.mutable_session()->set_title("基准测评");
    *session_req.mutable_session()->mutable_date() = wire::testing::D(absl::StrCat(year, "-05-10"));
    session_req.mutable_session()->set_full_marks_hundredths(10000);
    for (const auto& c : codes) session_req.mutable_session()->add_expected_credit_codes(c);
    training::v1::TestSession session;
    s = real.training().CreateTestSession(testing::AsPrincipal(city).get(), session_req, &session);
    if (!s.ok()) Die("session", absl::UnknownError(s.error_message()));
    for (int i = 0; i < kPulled; ++i) {
      training::v1::RecordTestResultRequest result;
      result.set_session(session.name());
      result.set_credit_code(codes[i]);
      result.set_score_hundredths(5000 + (i * 37) % 5001);
      training::v1::TestResult out;
      s = real.training().RecordTestResult(testing::AsPrincipal(city).get(), result, &out);
      if (!s.ok()) Die("result", absl::UnknownError(s.error_message()));
    }
  });

  db::Pool pool({database.ServiceConninfo("evaluation"), 4});
  EvaluationStore store(pool, [] { return absl::Now(); });
  GrpcMetricSources sources(real.addresses(), testing::kRealProof);
  EvaluationHandlers handlers(store, sources, TestRules(), testing::kRealProof);
  int port = 0;
  auto server = server::StartServer({&handlers}, "127.0.0.1:0", nullptr, &port);
  auto stub = v1::EvaluationService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::CreateRoundRequest create;
  create.set_year(year);
  create.set_request_id("bench-pull");
  v1::Round round;
  if (!stub->CreateRound(testing::AsPrincipal(city).get(), create, &round).ok()) std::exit(1);
  v1::PullMetricsRequest pull;
  pull.set_round(round.name());
  absl::Duration best = absl::InfiniteDuration();
  v1::Snapshot snapshot;
  for (int rep = 0; rep < 3; ++rep) {  // pulling again before the freeze replaces the snapshot
    best = std::min(best, Time([&] {
                      grpc::Status s =
                          stub->PullMetrics(testing::AsPrincipal(city).get(), pull, &snapshot);
                      if (!s.ok()) Die("pull", absl::UnknownError(s.error_message()));
                    }));
  }
  // The same rows read plainly from the sources' own tables in one admin connection.
  auto admin = database.Admin();
  absl::Duration plain = absl::InfiniteDuration();
  for (int rep = 0; rep < 3; ++rep) {
    plain = std::min(
        plain, Time([&] {
          for (const char* sql :
               {"SELECT * FROM registry.directory_entries", "SELECT * FROM registry.sanctions",
                "SELECT * FROM tracking.projects", "SELECT * FROM training.test_results",
                "SELECT * FROM feedback.ratings", "SELECT * FROM feedback.complaints"}) {
            auto r = admin->QueryScript(sql);
            if (!r.ok()) Die(sql, r.status());
          }
        }));
  }
  server->Shutdown();
  std::printf(
      "\n## Real pull of %d institutions (registry, tracking, training, feedback in-process)\n\n",
      snapshot.institution_count());
  std::printf("| %-44s | %10s |\n|---|---:|---|\n", "phase", "ms");
  Row("seed the sources through their APIs", seed);
  Row("PullMetrics (4 sources + store), best of 3", best);
  Row("plain SELECTs of the sources' tables", plain,
      absl::StrFormat("ratio %.1fx", Ms(best) / Ms(plain)));
  return 0;
}

}  // namespace
}  // namespace zhigai::evaluation

int main() {
  auto database = zhigai::db::testing::TestDatabase::Create();
  int rc = zhigai::evaluation::RoundPart(*database);
  rc |= zhigai::evaluation::PullPart(*database);
  std::printf("\npeak RSS of the whole process (with the in-process sources): %.1f MiB\n",
              zhigai::evaluation::PeakRssKiB() / 1024.0);
  return rc;
}
