// The feed of public changes (issue 25 item 2) on the real registry over real gRPC: numbered
// without gaps, only public facts, fed by other services idempotently, and followed by a
// consumer that is killed and resumed, across a restart of the registry, under write load.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/db/testing/test_database.h"
#include "libs/server/testing/context_as.h"
#include "libs/server/testing/status_of.h"
#include "libs/wire/typed_time.h"
#include "services/registry/testing/registry_server.h"

namespace zhigai::registry {
namespace {

using auth::Principal;
using auth::Role;
constexpr char kProof[] = "feed-proof";
constexpr char kA[] = "91330302123456788P";
constexpr char kB[] = "91330303MA2H3K4L4J";
constexpr char kUnregistered[] = "91330302MA0000001N";

Principal City() { return {Role::kCityBureau, "city-1", "", "330300"}; }
Principal County() { return {Role::kCountyBureau, "county-1", "", "330302"}; }
Principal Review() { return {Role::kService, "review", "", ""}; }

std::unique_ptr<grpc::ClientContext> As(const Principal& p) {
  return server::testing::ContextAs(p, kProof, std::chrono::seconds(10));
}

class PublicFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::testing::TestDatabase::Create();
    server_ = std::make_unique<testing::RegistryServer>(*db_, kProof);
  }
  v1::RegistryService::Stub& stub() { return server_->stub(); }

  std::vector<v1::PublicChange> All() {
    std::vector<v1::PublicChange> out;
    for (int64_t after = 0;;) {
      v1::ListPublicChangesRequest req;
      req.set_after_sequence(after);
      req.set_page_size(1000);
      v1::ListPublicChangesResponse resp;
      grpc::Status s = stub().ListPublicChanges(As({Role::kPublic, "", "", ""}).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || resp.changes().empty()) return out;
      for (const auto& c : resp.changes()) out.push_back(c);
      after = out.back().sequence();
    }
  }

  grpc::Status Record(const std::string& command_id, v1::PublicChange* out,
                      const Principal& who = Review()) {
    v1::RecordPublicChangeRequest req;
    req.set_command_id(command_id);
    req.mutable_change()->set_kind(v1::NOTICE_PUBLISHED);
    req.mutable_change()->set_resource("calls/7");
    req.mutable_change()->set_source_service("review");
    req.mutable_change()->set_year(2026);
    req.mutable_change()->set_reason(absl::StrCat("notice ", command_id));
    return stub().RecordPublicChange(As(who).get(), req, out);
  }

  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<testing::RegistryServer> server_;
};

TEST_F(PublicFeedTest, NumbersEveryPublicChangeFromOneWithoutGapsAndRefusalsTakeNoNumber) {
  ASSERT_TRUE(server_->Register(kA));
  ASSERT_TRUE(server_->Register(kB));
  ASSERT_TRUE(server_->Admit(kA, 2026, 2026, common::v1::CONSULTING));  // 1 admitted
  // A refused admission writes nothing and takes no number.
  v1::AdmitToDirectoryRequest refused;
  refused.set_command_id("admit-nobody");
  refused.set_year(2026);
  refused.set_level(common::v1::CITY);
  refused.set_credit_code(kUnregistered);
  refused.set_direction(common::v1::CONSULTING);
  refused.set_source("test");
  v1::DirectoryEntry entry;
  grpc::Status s = stub().AdmitToDirectory(As(City()).get(), refused, &entry);
  ASSERT_EQ(server::testing::ReasonOf(s), "INSTITUTION_NOT_REGISTERED");

  v1::ListDirectoryEntriesRequest list;
  list.set_year(2026);
  v1::ListDirectoryEntriesResponse entries;
  ASSERT_TRUE(stub().ListDirectoryEntries(As(City()).get(), list, &entries).ok());
  ASSERT_EQ(entries.entries_size(), 1);
  v1::UpdateDirectoryEntryRequest remove;  // 2 changed (removed, with the reason)
  remove.set_name(entries.entries(0).name());
  remove.set_status(v1::REMOVED);
  remove.set_status_reason("机构注销，移出名录");
  remove.set_version(entries.entries(0).version());
  ASSERT_TRUE(stub().UpdateDirectoryEntry(As(City()).get(), remove, &entry).ok());
  const std::string sanction = server_->Sanction(kB, v1::CANCEL, "2026-03-01");  // 3 imposed
  ASSERT_FALSE(sanction.empty());
  ASSERT_TRUE(server_->Lift(sanction));  // 4 lifted
  v1::FileCountyListRequest filing;      // 5 admitted (B, county), 6 filed
  filing.set_request_id("county-2026");
  filing.mutable_filing()->set_year(2026);
  filing.mutable_filing()->set_division_code("330302");
  filing.mutable_filing()->set_selection_criteria("县级遴选：咨询方向");
  auto* item = filing.mutable_filing()->add_items();
  item->set_credit_code(kB);
  item->add_directions(common::v1::CONSULTING);
  v1::CountyFiling filed;
  s = stub().FileCountyList(As(County()).get(), filing, &filed);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::vector<v1::PublicChange> all = All();
  ASSERT_EQ(all.size(), 6u);
  const std::vector<v1::PublicChangeKind> kinds = {
      v1::DIRECTORY_ENTRY_ADMITTED, v1::DIRECTORY_ENTRY_CHANGED,  v1::SANCTION_IMPOSED,
      v1::SANCTION_LIFTED,          v1::DIRECTORY_ENTRY_ADMITTED, v1::COUNTY_FILING_FILED};
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(all[i].kind(), kinds[i]) << i;
    EXPECT_EQ(all[i].source_service(), "registry");
    EXPECT_EQ(all[i].year(), 2026);
    EXPECT_TRUE(all[i].has_change_time());
    // Public facts only: never the contact person the profiles carry.
    EXPECT_EQ(all[i].SerializeAsString().find("李四"), std::string::npos);
  }
  EXPECT_EQ(all[0].credit_code(), kA);
  EXPECT_EQ(all[1].status(), "REMOVED");
  EXPECT_EQ(all[1].reason(), "机构注销，移出名录");
  EXPECT_EQ(all[2].status(), "CANCEL");
  EXPECT_EQ(wire::DateText(all[2].start_date()), "2026-03-01");
  EXPECT_EQ(all[3].resource(), sanction);
  EXPECT_EQ(all[4].credit_code(), kB);
  EXPECT_EQ(all[5].resource(), filed.name());

  // Pages start right after the sequence given, and report the feed's end.
  v1::ListPublicChangesRequest page;
  page.set_after_sequence(2);
  page.set_page_size(2);
  v1::ListPublicChangesResponse resp;
  ASSERT_TRUE(stub().ListPublicChanges(As(City()).get(), page, &resp).ok());
  ASSERT_EQ(resp.changes_size(), 2);
  EXPECT_EQ(resp.changes(0).sequence(), 3);
  EXPECT_EQ(resp.changes(1).sequence(), 4);
  EXPECT_EQ(resp.last_sequence(), 6);
  page.set_after_sequence(-1);
  s = stub().ListPublicChanges(As(City()).get(), page, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("after_sequence"), std::string::npos);
}

TEST_F(PublicFeedTest, OtherServicesFeedItOnlyAsServiceAndOnlyOnce) {
  v1::PublicChange first, again, denied;
  grpc::Status s = Record("notice-calls-7", &denied, City());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Record("notice-calls-7", &first).ok());
  ASSERT_TRUE(Record("notice-calls-7", &again).ok());  // an outbox delivering twice
  EXPECT_EQ(first.sequence(), 1);
  EXPECT_EQ(again.sequence(), 1);
  EXPECT_EQ(All().size(), 1u);

  v1::RecordPublicChangeRequest bad;
  bad.set_command_id("sanction-from-outside");
  bad.mutable_change()->set_kind(v1::SANCTION_IMPOSED);
  bad.mutable_change()->set_resource("sanctions/1");
  bad.mutable_change()->set_source_service("review");
  bad.mutable_change()->set_year(2026);
  v1::PublicChange out;
  s = stub().RecordPublicChange(As(Review()).get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("change.kind"), std::string::npos);
  EXPECT_EQ(All().size(), 1u);  // nothing written
}

// Two writers append 400 changes (each retried until it lands: an outbox's behaviour); a
// follower reads a third, is killed, resumes from the last sequence it processed, loses the
// registry to a restart, resumes again, and must have seen 1..400 exactly once, in order.
TEST_F(PublicFeedTest, AFollowerKilledAndResumedAcrossARestartUnderWriteLoadGetsEachChangeOnce) {
  constexpr int kPerWriter = 200, kTotal = 2 * kPerWriter;
  std::atomic<bool> stop_writing{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter && !stop_writing; ++i) {
        v1::PublicChange out;
        while (!stop_writing && !Record(absl::StrCat("w", w, "-", i), &out).ok()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  std::vector<int64_t> seen;
  // Reads until `until` changes are seen in all, then ends the stream from this side: a
  // follower killed mid-feed (a stream never ends by itself, so Finish alone would wait).
  auto follow = [&](int64_t after, size_t until) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));  // never hang
    v1::WatchPublicChangesRequest req;
    req.set_after_sequence(after);
    auto reader = stub().WatchPublicChanges(&ctx, req);
    v1::PublicChange change;
    while (seen.size() < until && reader->Read(&change)) seen.push_back(change.sequence());
    ctx.TryCancel();
    return reader->Finish();
  };
  follow(0, kTotal / 3);  // killed a third of the way
  ASSERT_GE(seen.size(), static_cast<size_t>(kTotal / 3));
  // Resume; midway the registry restarts and the stream breaks: resume once more.
  std::thread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server_->Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    server_->Start();
  });
  grpc::Status broken = follow(seen.back(), kTotal);
  restart.join();
  for (int attempt = 0; attempt < 3 && seen.size() < static_cast<size_t>(kTotal); ++attempt) {
    follow(seen.back(), kTotal);
  }
  stop_writing = seen.size() >= static_cast<size_t>(kTotal);
  stop_writing = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kTotal))
      << "last stream ended: " << broken.error_message();
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(seen[i], i + 1) << "position " << i;
  // And the feed holds exactly those: no change was written twice by a retried writer.
  std::vector<v1::PublicChange> all = All();
  EXPECT_EQ(all.size(), static_cast<size_t>(kTotal));
  std::map<std::string, int> reasons;
  for (const auto& c : all) ++reasons[c.reason()];
  EXPECT_EQ(reasons.size(), static_cast<size_t>(kTotal));
}

}  // namespace
}  // namespace zhigai::registry
