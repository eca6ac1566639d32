// Document upload throughput (issue 3): a 20 MiB document through the review service's
// client-streaming UploadDocument (real gRPC on loopback, SHA-256 and type checks, one
// transaction with 1 MiB bytea chunks) against writing the same bytes with libpq directly into
// a bytea table (one INSERT, binary parameter), in the same run on the same PostgreSQL
// (ZHIGAI_TEST_PG_ADMIN). Rounds alternate the two so drift hits both alike; medians reported.
//
// Usage: review_upload_bench [--rounds N] [--chunk_kib K]   (defaults 7 and 1024)
#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/sha256.h"
#include "services/review/tests/fixture.h"

namespace {

using namespace zhigai::review;           // NOLINT
using namespace zhigai::review::testing;  // NOLINT

constexpr size_t kBytes = 20 * 1024 * 1024;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double MiBPerSecond(absl::Duration d) { return 20.0 / absl::ToDoubleSeconds(d); }

// One upload through the RPC; the client's SHA-256 is computed before the clock starts (a
// client knows it before it sends the header).
absl::Duration UploadOnce(ReviewHarness& h, const std::string& parent, const std::string& code,
                          const std::string& content, const std::string& sha, size_t chunk,
                          int round) {
  const absl::Time start = absl::Now();
  auto ctx = As(Inst(code), 300);
  v1::Document out;
  auto writer = h.stub().UploadDocument(ctx.get(), &out);
  v1::UploadDocumentRequest head;
  auto* hd = head.mutable_header();
  hd->set_parent(parent);
  hd->set_request_id(absl::StrCat("bench-", round));
  hd->mutable_document()->set_display_name("bench.pdf");
  hd->mutable_document()->set_content_type("application/pdf");
  hd->mutable_document()->set_purpose(v1::SUPPORTING);
  hd->set_size_bytes(static_cast<int64_t>(content.size()));
  hd->set_sha256(sha);
  writer->Write(head);
  v1::UploadDocumentRequest part;
  for (size_t off = 0; off < content.size(); off += chunk) {
    part.set_chunk(content.data() + off, std::min(chunk, content.size() - off));
    if (!writer->Write(part)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  const absl::Duration took = absl::Now() - start;
  if (!s.ok()) {
    std::fprintf(stderr, "upload failed: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  return took;
}

// The same bytes with libpq: BEGIN; INSERT per `piece` bytes (binary bytea parameter); COMMIT.
// piece = the whole file is the plainest direct write; 1 MiB is the service's own row shape.
absl::Duration LibpqOnce(PGconn* conn, const std::string& content, size_t piece) {
  const absl::Time start = absl::Now();
  PQclear(PQexec(conn, "BEGIN"));
  for (size_t off = 0; off < content.size(); off += piece) {
    const char* values[1] = {content.data() + off};
    const int lengths[1] = {static_cast<int>(std::min(piece, content.size() - off))};
    const int formats[1] = {1};
    PGresult* r = PQexecParams(conn, "INSERT INTO bench_bytea (data) VALUES ($1::bytea)", 1,
                               nullptr, values, lengths, formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::fprintf(stderr, "libpq insert failed: %s\n", PQerrorMessage(conn));
      std::exit(1);
    }
    PQclear(r);
  }
  PQclear(PQexec(conn, "COMMIT"));
  return absl::Now() - start;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  int chunk_kib = 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rounds") (void)absl::SimpleAtoi(argv[i + 1], &rounds);
    if (flag == "--chunk_kib") (void)absl::SimpleAtoi(argv[i + 1], &chunk_kib);
  }
  ReviewHarness h;
  // Same schema, same role, same table settings as the service's chunks (no compression).
  PGconn* conn = PQconnectdb(h.database().ServiceConninfo("review").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "libpq: %s\n", PQerrorMessage(conn));
    return 1;
  }
  PQclear(PQexec(conn,
                 "CREATE TABLE bench_bytea (id bigserial PRIMARY KEY, data bytea NOT NULL);"
                 " ALTER TABLE bench_bytea ALTER COLUMN data SET STORAGE EXTERNAL"));

  // A call with one application per round (each stays far below the 200 MiB total).
  v1::Call def = CityCall(2026);
  h.SetToday(absl::CivilDay(2026, 3, 10));
  v1::CreateCallRequest cr;
  *cr.mutable_call() = def;
  cr.set_request_id("bench-call");
  v1::Call call;
  if (!h.stub().CreateCall(As(City()).get(), cr, &call).ok()) return 1;
  v1::OpenCallRequest open;
  open.set_name(call.name());
  open.set_version(call.version());
  if (!h.stub().OpenCall(As(City()).get(), open, &call).ok()) return 1;

  const std::string content = PdfBytes(kBytes, 42);
  const std::string sha = zhigai::core::Sha256Hex(content);
  std::vector<double> rpc, direct, direct_chunked;
  // One warm-up of each (connections, prepared statements, TOAST relation).
  for (int round = -1; round < rounds; ++round) {
    const std::string code = Code(5000 + round + 1);
    v1::CreateApplicationRequest ar;
    ar.set_parent(call.name());
    *ar.mutable_application() = GoodApplication(code, absl::StrCat("基准机构", round + 1));
    ar.set_request_id(absl::StrCat("bench-app-", round));
    v1::Application app;
    if (!h.stub().CreateApplication(As(Inst(code)).get(), ar, &app).ok()) return 1;
    const absl::Duration a = UploadOnce(h, app.name(), code, content, sha,
                                        static_cast<size_t>(chunk_kib) * 1024, round + 1);
    const absl::Duration b = LibpqOnce(conn, content, content.size());
    const absl::Duration c = LibpqOnce(conn, content, 1024 * 1024);
    if (round >= 0) {
      rpc.push_back(MiBPerSecond(a));
      direct.push_back(MiBPerSecond(b));
      direct_chunked.push_back(MiBPerSecond(c));
    }
  }
  PQfinish(conn);
  const double rpc_m = Median(rpc), direct_m = Median(direct), chunked_m = Median(direct_chunked);
  // The ratio is taken against the faster of the two direct writes.
  const double best = std::max(direct_m, chunked_m);
  std::printf("review_upload_bench: 20 MiB document, %d rounds, %d KiB chunks\n", rounds,
              chunk_kib);
  std::printf("  UploadDocument (gRPC stream, sha256, 1 MiB bytea chunks): %.1f MiB/s (median)\n",
              rpc_m);
  std::printf("  libpq direct (one INSERT, binary bytea):                   %.1f MiB/s (median)\n",
              direct_m);
  std::printf("  libpq direct (1 MiB INSERTs, one transaction):             %.1f MiB/s (median)\n",
              chunked_m);
  std::printf("  ratio to the faster direct write: %.0f%% (target >= 50%%)\n",
              100.0 * rpc_m / best);
  return 0;
}
