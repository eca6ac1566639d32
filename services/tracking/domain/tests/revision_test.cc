#include "services/tracking/domain/revision.h"

#include "gtest/gtest.h"
#include "libs/core/errors.h"

namespace zhigai::tracking {
namespace {

using D = RevisionDecision;

const StoredRevision kStored{3, "hash-a"};

TEST(DecideRevisionTest, NewKeyIsAccepted) {
  EXPECT_EQ(DecideRevision(std::nullopt, 1, "hash-a"), D::kAccepted);
}

TEST(DecideRevisionTest, NewerRevisionIsUpdatedEvenWithSameContent) {
  EXPECT_EQ(DecideRevision(kStored, 4, "hash-b"), D::kUpdated);
  EXPECT_EQ(DecideRevision(kStored, 4, "hash-a"), D::kUpdated);
}

TEST(DecideRevisionTest, SameRevisionSameContentIsDuplicate) {
  EXPECT_EQ(DecideRevision(kStored, 3, "hash-a"), D::kDuplicate);
}

TEST(DecideRevisionTest, SameRevisionDifferentContentIsConflict) {
  EXPECT_EQ(DecideRevision(kStored, 3, "hash-b"), D::kConflict);
}

TEST(DecideRevisionTest, OlderRevisionIsStaleWhateverTheContent) {
  EXPECT_EQ(DecideRevision(kStored, 2, "hash-a"), D::kStale);
  EXPECT_EQ(DecideRevision(kStored, 2, "hash-b"), D::kStale);
}

// The store's form (plain values, the hash as a view) decides as the optional one does.
TEST(DecideRevisionTest, ViewFormDecidesAlike) {
  EXPECT_EQ(DecideRevision(false, 0, "", 1, "hash-a"), D::kAccepted);
  for (int64_t incoming : {2, 3, 4}) {
    for (absl::string_view hash : {"hash-a", "hash-b"}) {
      EXPECT_EQ(DecideRevision(true, kStored.revision, kStored.content_hash, incoming, hash),
                DecideRevision(kStored, incoming, hash))
          << incoming << " " << hash;
    }
  }
}

TEST(ShouldStoreTest, OnlyAcceptedAndUpdatedWrite) {
  EXPECT_TRUE(ShouldStore(D::kAccepted));
  EXPECT_TRUE(ShouldStore(D::kUpdated));
  EXPECT_FALSE(ShouldStore(D::kDuplicate));
  EXPECT_FALSE(ShouldStore(D::kStale));
  EXPECT_FALSE(ShouldStore(D::kConflict));
}

TEST(RevisionStatusTest, OnlyConflictIsRefused) {
  for (D decision : {D::kAccepted, D::kUpdated, D::kDuplicate, D::kStale}) {
    EXPECT_TRUE(RevisionStatus(decision, "P-1", 3).ok()) << RevisionDecisionName(decision);
  }
  absl::Status conflict = RevisionStatus(D::kConflict, "project P-1", 3);
  EXPECT_EQ(conflict.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(conflict), "REVISION_CONFLICT");
  EXPECT_NE(conflict.message().find("project P-1 revision 3"), absl::string_view::npos);
  EXPECT_FALSE(ChineseOf(conflict).empty());
}

TEST(RevisionDecisionNameTest, NamesAreDistinct) {
  EXPECT_EQ(RevisionDecisionName(D::kAccepted), "ACCEPTED");
  EXPECT_EQ(RevisionDecisionName(D::kUpdated), "UPDATED");
  EXPECT_EQ(RevisionDecisionName(D::kDuplicate), "DUPLICATE");
  EXPECT_EQ(RevisionDecisionName(D::kStale), "STALE");
  EXPECT_EQ(RevisionDecisionName(D::kConflict), "CONFLICT");
}

}  // namespace
}  // namespace zhigai::tracking
