// zhigai-tracking-import: an operator loads the policy platform's CSV export through the same
// path the platform uses (PushProjects, idempotent on project id and revision), so running it
// twice, or after the platform pushed the same projects, changes nothing.
//
//   zhigai-tracking-import --file=export.csv [--addr=127.0.0.1:7103] [--operator=ops-li]
//                          [--batch=1000] [--reconcile]
//   internal proof: --internal_proof=... or ZHIGAI_INTERNAL_PROOF
//
// Exit status: 0 all records stored or already there; 2 some records refused (listed with
// their CSV line); 1 the import could not run or was cut off (run it again: it is safe).
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal.h"
#include "services/tracking/import/project_csv.h"
#include "zhigai/tracking/v1/tracking.grpc.pb.h"

namespace {

using namespace zhigai;

struct Options {
  std::string addr = "127.0.0.1:7103";
  std::string file;
  std::string proof;
  std::string operator_name = "operator";
  int batch = 1000;
  bool reconcile = false;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  if (const char* env = std::getenv("ZHIGAI_INTERNAL_PROOF")) o->proof = env;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](absl::string_view flag, std::string* out) {
      std::string prefix = absl::StrCat("--", flag, "=");
      if (!absl::StartsWith(a, prefix)) return false;
      *out = a.substr(prefix.size());
      return true;
    };
    std::string batch;
    if (value("addr", &o->addr) || value("file", &o->file) || value("internal_proof", &o->proof) ||
        value("operator", &o->operator_name)) {
      continue;
    }
    if (value("batch", &batch)) {
      if (!absl::SimpleAtoi(batch, &o->batch) || o->batch < 1 || o->batch > 1000) {
        std::cerr << "--batch must be 1..1000\n";
        return false;
      }
      continue;
    }
    if (a == "--reconcile") {
      o->reconcile = true;
      continue;
    }
    std::cerr << "unknown argument: " << a << "\n";
    return false;
  }
  if (o->file.empty()) std::cerr << "--file is required\n";
  if (o->proof.empty()) std::cerr << "the internal proof is required (ZHIGAI_INTERNAL_PROOF)\n";
  return !o->file.empty() && !o->proof.empty();
}

void AddPrincipal(grpc::ClientContext& ctx, const Options& o) {
  ctx.AddMetadata(auth::kPrincipalHeader,
                  auth::EncodePrincipal({auth::Role::kPolicyPlatform,
                                         absl::StrCat("import:", o.operator_name), "", ""}));
  ctx.AddMetadata(auth::kInternalProofHeader, o.proof);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 1;
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << o.file << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto rows = tracking::csv::Parse(text.str());
  if (!rows.ok()) {
    std::cerr << o.file << ": " << rows.status().message() << "\n";
    return 1;
  }
  auto parsed = tracking::csv::ReadProjects(*rows);
  if (!parsed.ok()) {
    std::cerr << o.file << ": " << parsed.status().message() << "\n";
    return 1;
  }
  for (const auto& [line, why] : parsed->unreadable) {
    std::cerr << o.file << ":" << line << ": not sent: " << why << "\n";
  }

  auto stub = tracking::v1::TrackingService::NewStub(
      grpc::CreateChannel(o.addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  AddPrincipal(ctx, o);
  ctx.AddMetadata(auth::kRequestIdHeader, absl::StrCat("import-", absl::ToUnixMillis(absl::Now())));
  auto stream = stub->PushProjects(&ctx);
  const auto& records = parsed->records;
  // The writer keeps batches in flight while the acknowledgements come back.
  std::thread writer([&] {
    for (size_t start = 0; start < records.size(); start += o.batch) {
      tracking::v1::PushProjectsRequest req;
      req.set_batch_id(absl::StrCat("import:", o.file, "#", start / o.batch + 1));
      for (size_t i = start; i < std::min(records.size(), start + o.batch); ++i) {
        *req.add_records() = records[i];
      }
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
  });
  std::map<std::string, int> tally;
  int refused = 0;
  tracking::v1::PushProjectsResponse resp;
  while (stream->Read(&resp)) {
    size_t base = static_cast<size_t>(resp.sequence() - 1) * o.batch;
    for (const auto& r : resp.results()) {
      ++tally[tracking::v1::RecordOutcome_Name(r.outcome())];
      if (r.outcome() == tracking::v1::RECORD_REJECTED ||
          r.outcome() == tracking::v1::RECORD_CONFLICT) {
        ++refused;
        int line = parsed->lines[base + r.index()];
        for (const auto& v : r.violations()) {
          std::cerr << o.file << ":" << line << ": " << r.key() << ": " << v.field() << " ("
                    << v.rule() << "): " << v.description() << "\n";
        }
      }
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  for (const auto& [name, n] : tally) std::cout << name << "\t" << n << "\n";
  if (!status.ok()) {
    std::cerr << "import cut off (" << status.error_code() << ": " << status.error_message()
              << "); acknowledged batches are stored, run the import again to finish\n";
    return 1;
  }
  if (o.reconcile) {
    for (const auto& [year, claim] : tracking::csv::ClaimsByYear(records)) {
      grpc::ClientContext rctx;
      AddPrincipal(rctx, o);
      tracking::v1::ReconcileProjectsRequest req;
      req.set_reconciliation_id(absl::StrCat("import:", o.operator_name, ":",
                                             absl::ToUnixMillis(absl::Now()), ":", year));
      req.set_year(year);
      req.set_project_count(claim.count);
      req.set_checksum(claim.checksum);
      tracking::v1::ProjectReconciliation rec;
      grpc::Status rs = stub->ReconcileProjects(&rctx, req, &rec);
      if (!rs.ok()) {
        std::cerr << "reconcile " << year << ": " << rs.error_message() << "\n";
        return 1;
      }
      std::cout << "year " << year << ": file " << claim.count << " projects, stored "
                << rec.stored_count() << (rec.matched() ? " (matched)" : " (MISMATCH)") << "\n";
    }
  }
  return refused > 0 || !parsed->unreadable.empty() ? 2 : 0;
}
