// R14.5 and R14.4 end to end: feedback's outbox delivers to a REAL registry running in-process
// on its own schema of the same test database, including while the registry is down.
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "services/feedback/tests/feedback_fixture.h"

namespace zhigai::feedback {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class SanctionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { h_ = new Harness(/*with_registry=*/true); }
  static void TearDownTestSuite() { delete h_; }

  static v1::Complaint File(const std::string& enterprise, const std::string& institution,
                            const std::string& request_id) {
    v1::FileComplaintRequest req;
    req.set_request_id(request_id);
    req.mutable_complaint()->set_institution_credit_code(institution);
    req.mutable_complaint()->set_description("诊断流于形式，造成恶劣影响");
    v1::Complaint out;
    grpc::Status s = h_->stub().FileComplaint(Harness::As(Enterprise(enterprise)).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static void VerifySerious(const v1::Complaint& c, const std::string& date) {
    v1::VerifyComplaintRequest req;
    req.set_name(c.name());
    req.set_outcome(v1::VERIFIED_SERIOUS);
    req.set_reasons("经核实造成恶劣影响");
    req.set_verification_date(date);
    req.set_version(c.version());
    v1::Complaint out;
    grpc::Status s = h_->stub().VerifyComplaint(Harness::As(City()).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Runs the dispatcher until `command_id` is delivered (retries back off to 100 ms in tests;
  // a fresh gRPC channel may need a reconnect attempt after the peer returns).
  static bool DeliverUntilDone(const std::string& command_id) {
    for (int i = 0; i < 300; ++i) {
      (void)h_->dispatcher().DeliverDue();
      if (h_->Count("feedback.outbox",
                    "command_id = '" + command_id + "' AND delivered_at IS NOT NULL") == 1) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static std::string Sanctions(const std::string& institution) {
    return h_->Scalar(absl::StrCat(
        "SELECT string_agg(kind || ' ' || start_date || '..' || end_date, ';' ORDER BY id)"
        " FROM registry.sanctions WHERE credit_code = '",
        institution, "'"));
  }

  static Harness* h_;
};
Harness* SanctionTest::h_;

TEST_F(SanctionTest, RegistryDownAtTheThirdVerificationStillEndsWithExactlyOneBar) {
  const std::string inst = Code("MA1A", 601);
  const std::string command = "bar:" + inst + ":2026-03-20";
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  v1::Complaint a = File(Code("MA2E", 601), inst, "f-a");
  v1::Complaint b = File(Code("MA2E", 602), inst, "f-b");
  v1::Complaint c = File(Code("MA2E", 603), inst, "f-c");
  v1::Complaint d = File(Code("MA2E", 604), inst, "f-d");
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  VerifySerious(a, "2026-03-10");
  VerifySerious(b, "2026-03-15");

  h_->StopRegistry();
  VerifySerious(c, "2026-03-20");  // the bureau's work does not wait for the registry
  ASSERT_TRUE(h_->dispatcher().DeliverDue().ok());
  EXPECT_EQ(h_->Count("feedback.outbox", "command_id = '" + command +
                                             "' AND delivered_at IS NULL AND failed_at IS NULL"
                                             " AND attempts >= 1 AND last_error IS NOT NULL"),
            1);
  EXPECT_EQ(Sanctions(inst), "");

  h_->StartRegistry();
  ASSERT_TRUE(DeliverUntilDone(command));
  // Three years from the third verification: the last barred day is the day before the
  // third anniversary.
  EXPECT_EQ(Sanctions(inst), "BAR 2026-03-20..2029-03-19");
  EXPECT_EQ(
      h_->Scalar("SELECT command_id FROM registry.sanctions WHERE credit_code = '" + inst + "'"),
      command);

  // The acknowledgement was lost and the command goes out again: still one bar.
  ASSERT_EQ(h_->Count("feedback.outbox", "command_id = '" + command + "'"), 1);
  auto admin = h_->database().Admin();
  ASSERT_TRUE(admin
                  ->ExecScript("UPDATE feedback.outbox SET delivered_at = NULL,"
                               " next_attempt_at = now() WHERE command_id = '" +
                               command + "'")
                  .ok());
  ASSERT_TRUE(DeliverUntilDone(command));
  EXPECT_EQ(Sanctions(inst), "BAR 2026-03-20..2029-03-19");

  // A fourth serious complaint re-decides R14.5 and orders nothing new.
  VerifySerious(d, "2026-03-30");
  ASSERT_TRUE(h_->dispatcher().DeliverDue().ok());
  EXPECT_EQ(h_->Count("feedback.outbox", "command_id LIKE '%" + inst + "%'"), 1);
  EXPECT_EQ(Sanctions(inst), "BAR 2026-03-20..2029-03-19");
}

TEST_F(SanctionTest, APlagiarismFindingCancelsEligibilityInTheRegistryForTheRestOfTheYear) {
  const std::string inst = Code("MA1A", 611);
  h_->SetToday(absl::CivilDay(2026, 9, 9));
  v1::RecordPlagiarismFindingRequest req;
  req.set_request_id("plag-e2e");
  req.mutable_finding()->set_institution_credit_code(inst);
  req.mutable_finding()->set_finding_date("2026-09-08");
  req.mutable_finding()->set_description("培训课件抄袭");
  req.mutable_finding()->add_evidence_document_ids("doc-slides-1");
  v1::PlagiarismFinding out;
  ASSERT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out).ok());
  ASSERT_TRUE(DeliverUntilDone("cancel:" + inst + ":2026-09-08"));
  EXPECT_EQ(Sanctions(inst), "CANCEL 2026-09-08..2026-12-31");
}

}  // namespace
}  // namespace zhigai::feedback
