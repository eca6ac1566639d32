// All SQL of the feedback service. Each write runs in one transaction with its audit row (and
// its idempotency key where the call has one, and its outbox command where it orders a
// sanction): a failed call writes nothing, a committed one carries its command with it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"
#include "libs/db/stored.h"
#include "services/feedback/domain/engagement_fact.h"
#include "services/feedback/sanction_orders.h"
#include "zhigai/feedback/v1/feedback.pb.h"

namespace zhigai::feedback {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

struct RatingWrite {
  std::string engagement;
  EngagementFacts facts;
  int engagement_year = 0;
  v1::SatisfactionLevel content = v1::SATISFACTION_LEVEL_UNSPECIFIED;
  v1::SatisfactionLevel results = v1::SATISFACTION_LEVEL_UNSPECIFIED;
  std::string comment;
  v1::RatingSource source = v1::RATING_SOURCE_UNSPECIFIED;
  std::string recorded_by;  // bureau subject for a phone rating
  int64_t expected_version = 0;
  absl::CivilDay today;
  int change_period_days = 0;  // for a first rating: fixes its last change day
};

struct StoredRating {
  int64_t id = 0;  // row id: the keyset for paging
  v1::Rating rating;
  std::string division_code;  // the enterprise's division, for county scoping
};

struct RatingFilter {
  std::string institution, enterprise, division;
  int year = 0;
};

struct ComplaintFilter {
  std::string institution, complainant, outcome, division;
  bool verified_only = false;
};

struct VerifyResult {
  v1::Complaint complaint;
  bool ordered_sanction = false;  // an outbox command was enqueued
};

class FeedbackStore {
 public:
  FeedbackStore(db::Pool& pool, Clock clock) : pool_(pool), clock_(std::move(clock)) {}

  // The year's settings; version 0 and `default_days` while never set.
  absl::StatusOr<v1::RatingSettings> GetRatingSettings(int year, int default_days);
  absl::StatusOr<v1::RatingSettings> UpdateRatingSettings(const Change& change, int year,
                                                          int change_period_days,
                                                          int64_t expected_version);

  // Creates (expected_version 0) or changes the engagement's rating. `may_change` is asked,
  // under the row lock, whether a change is still allowed given the stored first day and last
  // change day.
  absl::StatusOr<v1::Rating> SaveRating(
      const Change& change, const std::string& idempotency_key, const RatingWrite& write,
      const std::function<absl::Status(absl::CivilDay first, absl::CivilDay last)>& may_change);
  // NOT_FOUND when the engagement has no rating.
  absl::StatusOr<StoredRating> GetRating(const std::string& engagement);
  absl::StatusOr<std::vector<StoredRating>> ListRatings(const RatingFilter& filter,
                                                        int64_t after_id, int limit);

  absl::StatusOr<v1::Complaint> FileComplaint(const Change& change,
                                              const std::string& idempotency_key,
                                              v1::Complaint complaint, absl::CivilDay filed_on);
  absl::StatusOr<v1::Complaint> GetComplaint(int64_t id);
  absl::StatusOr<std::vector<v1::Complaint>> ListComplaints(const ComplaintFilter& filter,
                                                            int64_t after_id, int limit);
  // First days of the bars already ordered for the institution (R14.5).
  absl::StatusOr<std::vector<absl::CivilDay>> BarStartsOf(const std::string& institution);
  // Records the outcome; for VERIFIED_SERIOUS re-decides R14.5 over all of the institution's
  // serious complaints (serialised per institution) and orders every bar `decide` calls for
  // that was not ordered before.
  absl::StatusOr<VerifyResult> VerifyComplaint(
      const Change& change, int64_t id, int64_t expected_version, v1::ComplaintOutcome outcome,
      const std::string& reasons, absl::CivilDay verified_on,
      const std::function<std::vector<SanctionOrder>(
          const std::string& institution, const std::vector<SeriousComplaint>&)>& decide);

  // Records the finding and orders the cancellation `order_for` builds from its name.
  absl::StatusOr<v1::PlagiarismFinding> GetPlagiarismFinding(int64_t id);
  // institution "" and year 0 match every finding; ordered by id, after_id excluded.
  absl::StatusOr<std::vector<v1::PlagiarismFinding>> ListPlagiarismFindings(
      const std::string& institution, int year, int64_t after_id, int limit);
  absl::StatusOr<v1::PlagiarismFinding> RecordPlagiarismFinding(
      const Change& change, const std::string& idempotency_key, v1::PlagiarismFinding finding,
      absl::CivilDay finding_day,
      const std::function<SanctionOrder(const std::string& finding_name)>& order_for);

  // Per institution: rating counts of the year's engagements and complaints verified in the
  // year. Institutions without any are absent. Two queries whatever the number of codes.
  absl::StatusOr<std::map<std::string, v1::InstitutionFeedbackMetrics>> BatchMetrics(
      int year, const std::vector<std::string>& codes);

 private:
  std::string Now() const;
  db::Pool& pool_;
  Clock clock_;
};

}  // namespace zhigai::feedback
