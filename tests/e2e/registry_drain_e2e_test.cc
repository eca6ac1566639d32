// SIGTERM under load: the registry finishes the calls it accepted and loses none of their
// writes; calls arriving after the drain began are refused (UNAVAILABLE), never half-done.
// gRPC itself cancels the calls it had queued but not yet handed to the service when the
// drain begins (the client sees CANCELLED; the gateway turns that into UNAVAILABLE): the test
// proves each such call never reached the service, by its request id in the service's log,
// and wrote nothing. A CANCELLED call that the service had started is a failure.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/db/testing/test_database.h"
#include "libs/wire/testing/literals.h"
#include "tests/e2e/process.h"
#include "zhigai/registry/v1/registry.grpc.pb.h"

namespace zhigai::e2e {
namespace {

namespace v1 = zhigai::registry::v1;
constexpr char kProof[] = "drain-proof";

std::string CodeFor(int i) {
  static const char kChars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::string body = absl::StrCat(20000000 + i);
  static const int w8[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int s = 0;
  for (int k = 0; k < 8; ++k) s += (body[k] - '0') * w8[k];
  int r = 11 - s % 11;
  std::string first17 = absl::StrCat("91330302", body,
                                     std::string(1, r == 10   ? 'X'
                                                    : r == 11 ? '0'
                                                              : char('0' + r)));
  int sum = 0, weight = 1;
  for (int k = 0; k < 17; ++k) {
    sum += static_cast<int>(std::string(kChars).find(first17[k])) * weight;
    weight = weight * 3 % 31;
  }
  return first17 + kChars[(31 - sum % 31) % 31];
}

TEST(RegistryDrain, SigtermDuringWritesLosesNoAcknowledgedWrite) {
  auto db = db::testing::TestDatabase::Create();
  int port = FreePort();
  std::string target = absl::StrCat("127.0.0.1:", port);
  ServiceProcess proc(ZHIGAI_REGISTRY_BINARY,
                      {{"ZHIGAI_DB", db->ServiceConninfo("registry")},
                       {"ZHIGAI_INTERNAL_PROOF", kProof},
                       {"ZHIGAI_LISTEN", target},
                       {"ZHIGAI_METRICS_LISTEN", ""},
                       {"ZHIGAI_LOG_LEVEL", "info"},
                       {"ZHIGAI_DRAIN_SECONDS", "10"},
                       {"ZHIGAI_DATA_DIR", ZHIGAI_DATA_DIR}},
                      {}, absl::StrCat(::testing::TempDir(), "/drain-", port, ".log"));
  ASSERT_TRUE(WaitServing(target, "readiness", 30000)) << proc.Log();

  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::map<std::string, std::string> cancelled;  // request id → credit code
  std::map<int, int> codes;                      // gRPC code → count
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      auto stub = v1::RegistryService::NewStub(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
      while (!stop) {
        int i = next++;
        v1::CreateInstitutionRequest req;
        req.set_request_id(absl::StrCat("drain-", i));
        auto* in = req.mutable_institution();
        in->set_credit_code(CodeFor(i));
        in->set_display_name(absl::StrCat("机构", i));
        in->set_legal_form(v1::INDEPENDENT_LEGAL_PERSON);
        *in->mutable_founded_date() = wire::testing::D("2019-01-01");
        in->mutable_registered_address()->set_province("浙江省");
        in->mutable_registered_address()->set_city("温州市");
        in->set_ownership(v1::PRIVATE);
        in->add_directions(zhigai::common::v1::TRAINING);
        grpc::ClientContext ctx;
        ctx.AddMetadata(auth::kPrincipalHeader,
                        auth::EncodePrincipal({auth::Role::kCityBureau, "d", "", "330300"}));
        ctx.AddMetadata(auth::kInternalProofHeader, kProof);
        ctx.AddMetadata(auth::kRequestIdHeader, req.request_id());
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
        v1::Institution out;
        grpc::Status s = stub->CreateInstitution(&ctx, req, &out);
        std::lock_guard<std::mutex> lock(mu);
        codes[s.error_code()]++;
        if (s.ok()) acknowledged.insert(in->credit_code());
        if (s.error_code() == grpc::StatusCode::CANCELLED) {
          cancelled[req.request_id()] = in->credit_code();
        }
        if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int exit_code = proc.Terminate(30);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& c : clients) c.join();

  EXPECT_EQ(exit_code, 0) << proc.Log();
  ASSERT_GT(acknowledged.size(), 50u) << "too little load to prove anything";
  // Every acknowledged write is in the database, exactly once.
  auto admin = db->Admin();
  auto rows = admin->QueryScript("SELECT credit_code FROM registry.institutions");
  ASSERT_TRUE(rows.ok());
  std::set<std::string> stored;
  for (int i = 0; i < rows->rows(); ++i) stored.insert(rows->String(i, 0));
  for (const auto& code : acknowledged) EXPECT_TRUE(stored.count(code)) << code;
  // Calls refused because the drain had begun are UNAVAILABLE (safe to retry elsewhere).
  for (const auto& [code, n] : codes) {
    EXPECT_TRUE(code == 0 || code == grpc::StatusCode::UNAVAILABLE ||
                code == grpc::StatusCode::CANCELLED)
        << "code " << code << " seen " << n << " times";
  }
  // A CANCELLED call is one gRPC dropped from its queue before the service saw it: its request
  // id never reached the service (no log line of it) and it wrote nothing. An accepted call
  // that the drain cut off would show here.
  const std::string log = proc.Log();
  ASSERT_NE(log.find("\"request_id\":\"drain-"), std::string::npos)
      << "the service logs no request ids: the check below would prove nothing";
  for (const auto& [request_id, code] : cancelled) {
    EXPECT_EQ(log.find(absl::StrCat("\"request_id\":\"", request_id, "\"")), std::string::npos)
        << request_id << " was started by the service and then CANCELLED by the drain";
    EXPECT_EQ(stored.count(code), 0u) << request_id << " was CANCELLED but wrote " << code;
  }
  std::printf(
      "drain: %zu acknowledged, %zu stored, %zu cancelled before the service saw them, "
      "codes:",
      acknowledged.size(), stored.size(), cancelled.size());
  for (const auto& [code, n] : codes) std::printf(" %d=%d", code, n);
  std::printf("\n");
}

}  // namespace
}  // namespace zhigai::e2e
