// R14.5 and R14.4 end to end: feedback's outbox delivers to a REAL registry running in-process
// on its own schema of the same test database, including while the registry is down.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/db/migrations.h"
#include "libs/wire/testing/literals.h"
#include "services/feedback/tests/feedback_fixture.h"

namespace zhigai::migrations {
const std::vector<zhigai::db::Migration>& Feedback();
}

namespace zhigai::feedback {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class SanctionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { h_ = std::make_unique<Harness>(/*with_registry=*/true); }
  static void TearDownTestSuite() { h_.reset(); }

  static v1::Complaint File(const std::string& enterprise, const std::string& institution,
                            const std::string& request_id) {
    h_->registry().Register(institution);  // a complaint names a registered institution
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
    if (!date.empty()) *req.mutable_verification_date() = wire::testing::D(date);
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

  static inline std::unique_ptr<Harness> h_;
};

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

// R14.5 (2026-12): complaints count only with others of their calendar year, each toward at
// most one bar; while a bar is in force new complaints count toward none, and once it was lifted
// new complaints bar again. The lift is the registry's, read back over gRPC.
TEST_F(SanctionTest, AfterALiftNewComplaintsBarAgainWhileOldOnesNeverCountTwice) {
  const std::string inst = Code("MA1A", 621);
  h_->SetToday(absl::CivilDay(2026, 3, 1));
  std::vector<v1::Complaint> first, later;
  for (int i = 0; i < 3; ++i)
    first.push_back(File(Code("MA2E", 621 + i), inst, "rb-" + std::to_string(i)));
  for (int i = 0; i < 4; ++i)
    later.push_back(File(Code("MA2E", 631 + i), inst, "rl-" + std::to_string(i)));
  h_->SetToday(absl::CivilDay(2026, 4, 1));
  VerifySerious(first[0], "2026-03-10");
  VerifySerious(first[1], "2026-03-15");
  VerifySerious(first[2], "2026-03-20");
  const std::string bar1 = "bar:" + inst + ":2026-03-20";
  ASSERT_TRUE(DeliverUntilDone(bar1));
  // Verified during the bar, before any lift: it counts toward no bar.
  h_->SetToday(absl::CivilDay(2026, 5, 20));
  VerifySerious(later[0], "2026-05-10");
  // The bureau lifts the bar on 2026-06-01.
  h_->SetToday(absl::CivilDay(2026, 6, 1));
  const std::string name = h_->Scalar(
      "SELECT 'sanctions/' || id FROM registry.sanctions WHERE credit_code = '" + inst + "'");
  ASSERT_TRUE(h_->registry().Lift(name));
  h_->SetToday(absl::CivilDay(2026, 8, 1));
  // The registry is down when a verification needs its lifts: refused, nothing written.
  h_->StopRegistry();
  v1::VerifyComplaintRequest req;
  req.set_name(later[1].name());
  req.set_outcome(v1::VERIFIED_SERIOUS);
  req.set_reasons("经核实造成恶劣影响");
  *req.mutable_verification_date() = wire::testing::D("2026-07-01");
  req.set_version(later[1].version());
  v1::Complaint out;
  grpc::Status s = h_->stub().VerifyComplaint(Harness::As(City()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(h_->Count("feedback.complaints",
                      "outcome = 'PENDING' AND id = " + later[1].name().substr(11)),
            1);
  h_->StartRegistry();
  for (int i = 0; i < 100; ++i) {  // the channel reconnects
    s = h_->stub().VerifyComplaint(Harness::As(City()).get(), req, &out);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  VerifySerious(later[2], "2026-07-05");
  VerifySerious(later[3], "2026-07-10");
  const std::string bar2 = "bar:" + inst + ":2026-07-10";
  ASSERT_TRUE(DeliverUntilDone(bar2));
  EXPECT_EQ(Sanctions(inst), "BAR 2026-03-20..2029-03-19;BAR 2026-07-10..2029-07-09");
  // The second bar names the three complaints it counted, not the one verified during the first.
  const std::string refs = h_->Scalar(
      "SELECT source_reference FROM registry.sanctions WHERE command_id = '" + bar2 + "'");
  EXPECT_EQ(refs, later[1].name() + "," + later[2].name() + "," + later[3].name());
}

TEST_F(SanctionTest, ComplaintsOfTwoCalendarYearsDoNotCombineIntoABar) {
  const std::string inst = Code("MA1A", 641);
  h_->SetToday(absl::CivilDay(2025, 12, 1));
  std::vector<v1::Complaint> c;
  for (int i = 0; i < 3; ++i)
    c.push_back(File(Code("MA2E", 641 + i), inst, "yr-" + std::to_string(i)));
  h_->SetToday(absl::CivilDay(2026, 2, 1));
  VerifySerious(c[0], "2025-12-30");
  VerifySerious(c[1], "2026-01-05");
  VerifySerious(c[2], "2026-01-06");
  EXPECT_EQ(h_->Count("feedback.sanction_orders", "institution_credit_code = '" + inst + "'"), 0);
}

TEST_F(SanctionTest, APlagiarismFindingCancelsEligibilityInTheRegistryForTheRestOfTheYear) {
  const std::string inst = Code("MA1A", 611);
  h_->registry().Register(inst);
  h_->SetToday(absl::CivilDay(2026, 9, 9));
  v1::RecordPlagiarismFindingRequest req;
  req.set_request_id("plag-e2e");
  req.mutable_finding()->set_institution_credit_code(inst);
  *req.mutable_finding()->mutable_finding_date() = wire::testing::D("2026-09-08");
  req.mutable_finding()->set_description("培训课件抄袭");
  req.mutable_finding()->add_evidence_document_ids("doc-slides-1");
  v1::PlagiarismFinding out;
  ASSERT_TRUE(h_->stub().RecordPlagiarismFinding(Harness::As(City()).get(), req, &out).ok());
  ASSERT_TRUE(DeliverUntilDone("cancel:" + inst + ":2026-09-08"));
  EXPECT_EQ(Sanctions(inst), "CANCEL 2026-09-08..2026-12-31");
}

// The repeat-bar migration keeps every order and only lifts the one-bar-ever limit.
TEST(SanctionMigrationTest, RepeatBarsMigrateWithoutLosingARow) {
  auto db = db::testing::TestDatabase::Create();
  db::Pool pool({db->ServiceConninfo("feedback"), 1});
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  const auto& all = migrations::Feedback();
  const std::vector<db::Migration> before(all.begin(), all.begin() + 1);
  ASSERT_TRUE(db::ApplyMigrations(**lease, "feedback", before).ok());
  auto admin = db->Admin();
  const char* kInsert =
      "INSERT INTO feedback.sanction_orders (command_id, institution_credit_code, kind,"
      " start_date, source_reference) VALUES ";
  ASSERT_TRUE(
      admin
          ->ExecScript(absl::StrCat(kInsert,
                                    "('bar:A:2024-01-10', 'A', 'BAR', '2024-01-10', 'x'),"
                                    "('bar:B:2025-02-01', 'B', 'BAR', '2025-02-01', 'y'),"
                                    "('cancel:A:2025-05-05', 'A', 'CANCEL', '2025-05-05', 'z')"))
          .ok());
  EXPECT_FALSE(
      admin
          ->ExecScript(absl::StrCat(kInsert, "('bar:A:2027-03-01', 'A', 'BAR', '2027-03-01', 'w')"))
          .ok())
      << "before: one bar per institution ever";
  ASSERT_TRUE(db::ApplyMigrations(**lease, "feedback", all).ok());
  EXPECT_EQ(db->Count("feedback", "sanction_orders"), 3);
  EXPECT_TRUE(
      admin
          ->ExecScript(absl::StrCat(kInsert, "('bar:A:2027-03-01', 'A', 'BAR', '2027-03-01', 'w')"))
          .ok())
      << "after: a new bar once the first has ended";
  EXPECT_EQ(db->Count("feedback", "sanction_orders", "institution_credit_code = 'A'"), 3);
}

}  // namespace
}  // namespace zhigai::feedback
