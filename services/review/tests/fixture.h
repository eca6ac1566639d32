// The review service in-process for tests and the benchmark: a real PostgreSQL schema, the
// real handlers on a real gRPC port, a real registry beside it (review asks it whether an
// applicant is barred or cancelled, and admits into it), a clock the test sets, and builders of
// valid requests. No gtest here (the benchmark links it too).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "libs/auth/principal.h"
#include "libs/db/pool.h"
#include "libs/db/testing/test_database.h"
#include "libs/peers/registry_eligibility.h"
#include "libs/server/host.h"
#include "services/registry/testing/registry_server.h"
#include "services/review/handlers.h"
#include "zhigai/review/v1/review.grpc.pb.h"

namespace zhigai::review::testing {

inline constexpr char kProof[] = "test-proof";

class ReviewHarness {
 public:
  // Uses `db` when given (shared with another service in the same test), else its own.
  explicit ReviewHarness(db::testing::TestDatabase* db = nullptr);
  ~ReviewHarness();

  v1::ReviewService::Stub& stub() { return *stub_; }
  db::testing::TestDatabase& database() { return *db_; }
  db::Pool& pool() { return *pool_; }
  ReviewStore& store() { return *store_; }
  int port() const { return port_; }
  registry::testing::RegistryServer& registry() { return *registry_; }

  // Business "today" (noon in Asia/Shanghai of that day).
  void SetToday(absl::CivilDay day);
  void OnEnqueued(std::function<void()> fn) { on_enqueued_ = std::move(fn); }

  // count(*) of review.<table> WHERE <where>, read as the superuser behind the API.
  int64_t Count(const std::string& table, const std::string& where = "true");

 private:
  std::unique_ptr<db::testing::TestDatabase> own_db_;
  db::testing::TestDatabase* db_ = nullptr;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReferenceData> ref_;
  std::unique_ptr<registry::testing::RegistryServer> registry_;
  std::unique_ptr<peers::RegistryEligibility> eligibility_;
  std::unique_ptr<ReviewStore> store_;
  std::unique_ptr<ReviewHandlers> handlers_;
  zhigai::server::ServerPtr server_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
  std::atomic<int64_t> now_seconds_{0};
  std::function<void()> on_enqueued_;
  int port_ = 0;
};

// A context carrying what the gateway would send.
std::unique_ptr<grpc::ClientContext> As(const auth::Principal& p, int timeout_s = 30);

auth::Principal City();
auth::Principal County(const std::string& division);
auth::Principal Inst(const std::string& credit_code);
auth::Principal ExpertPrincipal(const std::string& subject);
auth::Principal Enterprise(const std::string& credit_code);
inline auth::Principal Public() { return auth::Principal::Anonymous(); }

// A valid credit code (R0.1) for a small number, distinct per number and `division`.
std::string Code(int n, const std::string& division = "330302");

// A valid CITY call for `year`: both directions, quota 3 each, default thresholds, opening
// Mar 1 to Mar 31 of the year, 5-day notice, 3 experts, two criteria (60 + 40 points, weight 1).
v1::Call CityCall(int year = 2026);

// An application that passes every R5 line for both directions of a `year` call (track record
// in year-1, three qualified resident staff, four QC aspects declared). Documents are separate.
v1::Application GoodApplication(const std::string& code, const std::string& name, int year = 2026);

// Bytes that start like a PDF.
std::string PdfBytes(size_t size, unsigned seed = 1);

// Streams `content` in `chunk` pieces; returns the final status.
grpc::Status Upload(v1::ReviewService::Stub& stub, const auth::Principal& who,
                    const std::string& parent, v1::DocumentPurpose purpose,
                    const std::string& content, const std::string& request_id, v1::Document* out,
                    size_t chunk = 256 * 1024, const std::string& content_type = "application/pdf");

// Stable reason and rule of a refusal (google.rpc.ErrorInfo).
std::string ReasonOf(const grpc::Status& s);
std::string RuleOf(const grpc::Status& s);
// Field paths of an INVALID_ARGUMENT (google.rpc.BadRequest).
std::vector<std::string> FieldsOf(const grpc::Status& s);

}  // namespace zhigai::review::testing
