// All SQL of the tracking service. Each write runs in one transaction with its audit row (and
// its idempotency key where the call has one): a failed call writes nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"
#include "libs/db/stored.h"
#include "services/tracking/domain/project_counts.h"
#include "services/tracking/domain/project_record.h"
#include "services/tracking/domain/revision.h"
#include "zhigai/tracking/v1/tracking.pb.h"

namespace zhigai::tracking {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

struct NeedFilter {
  std::string division_code, enterprise_credit_code, assignee, state;
};

struct EngagementFilter {
  std::string division_code, institution_credit_code, enterprise_credit_code, state;
};

// A pushed record that passed validation, with its content hash (content_hash.h).
struct ValidRecord {
  int index = 0;  // position in the batch
  ProjectRecord record;
  std::string hash;
};

// What the store decided for a valid record or counts row.
struct StoredOutcome {
  int index = 0;
  RevisionDecision decision = RevisionDecision::kAccepted;
  int64_t stored_revision = 0;  // the revision held after this record
  absl::Status refused;         // set when the row was refused before any decision
};

struct ValidCounts {
  int index = 0;
  ProjectCounts counts;
  std::string hash;
  std::string platform_as_of;  // RFC 3339 or empty
};

// One (institution, kind) figure of a year.
struct KindFigures {
  std::string credit_code;
  std::string kind;  // "DIAGNOSIS" / "SOLUTION_DESIGN"
  int64_t declared = 0;
  int64_t approved = 0;
  // Counts mode: the platform row that gave the figures (its revision, or 0 and its as_of).
  int64_t platform_revision = 0;
  std::string platform_as_of;
};

struct MetricsSource {
  std::vector<KindFigures> figures;  // sorted by credit code, kind
  std::string as_of;                 // RFC 3339, empty without data
  int64_t seq = 0;                   // highest intake batch stamp used
};

class TrackingStore {
 public:
  TrackingStore(db::Pool& pool, Clock clock) : pool_(pool), clock_(std::move(clock)) {}

  // Enterprises.
  absl::StatusOr<v1::Enterprise> CreateEnterprise(const Change& change, const std::string& key,
                                                  v1::Enterprise enterprise);
  absl::StatusOr<v1::Enterprise> GetEnterprise(const std::string& credit_code);
  absl::StatusOr<std::vector<v1::Enterprise>> ListEnterprises(const std::string& division,
                                                              const std::string& after, int limit);

  // Needs. `apply` turns the stored need into the new one (the domain's rules); the store
  // checks the version under a row lock.
  absl::StatusOr<v1::Need> CreateNeed(const Change& change, const std::string& key, v1::Need need);
  absl::StatusOr<v1::Need> GetNeed(int64_t id);
  absl::StatusOr<std::vector<v1::Need>> ListNeeds(const NeedFilter& filter, int64_t after_id,
                                                  int limit);
  using NeedUpdate = std::function<absl::StatusOr<v1::Need>(const v1::Need&)>;
  absl::StatusOr<v1::Need> UpdateNeed(const Change& change, int64_t id, int64_t expected_version,
                                      const NeedUpdate& apply);

  // Engagements. A repeat of an idempotent call is answered before any outside check.
  absl::StatusOr<std::optional<v1::Engagement>> FindEngagementAnswer(const std::string& key);
  // `need_id` 0 = none; else the need is moved to SERVED (or must already be served by an
  // assignment this institution accepted) in the same transaction.
  absl::StatusOr<v1::Engagement> ReportEngagement(const Change& change, const std::string& key,
                                                  v1::Engagement engagement, int64_t need_id);
  absl::StatusOr<v1::Engagement> GetEngagement(int64_t id);
  absl::StatusOr<std::vector<v1::Engagement>> ListEngagements(const EngagementFilter& filter,
                                                              int64_t after_id, int limit);
  using EngagementUpdate = std::function<absl::StatusOr<v1::Engagement>(const v1::Engagement&)>;
  // expected_version 0 = no version check (idempotent document additions). A change to
  // CANCELLED reopens the need it served (SERVED -> OPEN, R12.2).
  absl::StatusOr<v1::Engagement> UpdateEngagement(const Change& change, int64_t id,
                                                  int64_t expected_version,
                                                  const EngagementUpdate& apply,
                                                  const std::string& idempotency_key = "");

  // Projects: one transaction for the batch, a bounded number of statements whatever its size.
  absl::StatusOr<std::vector<StoredOutcome>> PushProjects(const Change& change,
                                                          const std::string& batch_label,
                                                          const std::vector<ValidRecord>& records);
  absl::StatusOr<v1::ProjectReconciliation> Reconcile(const Change& change, const std::string& key,
                                                      const v1::ReconcileProjectsRequest& claim);
  absl::StatusOr<v1::IngestSummary> IngestSummary(int year, const std::string& institution);

  // Counts mode.
  absl::StatusOr<std::vector<StoredOutcome>> PushCounts(const Change& change,
                                                        const std::vector<ValidCounts>& rows);
  // Records of `year` by institution then project id, after the "code|project_id" key, with the
  // year's change sequence read in the same statement.
  struct ProjectPage {
    int64_t seq = 0;
    std::vector<v1::StoredProjectRecord> projects;
  };
  absl::StatusOr<ProjectPage> ListProjects(int year, const std::string& institution,
                                           const std::string& kind, const std::string& after,
                                           int limit);
  absl::StatusOr<std::vector<v1::ProjectCountsRevision>> ListCountRevisions(
      int year, const std::string& institution, const std::string& kind, const std::string& after,
      int limit);

  // Intake setting of a year (RECORDS when never set).
  absl::StatusOr<v1::IntakeSetting> GetIntakeSetting(int year);
  absl::StatusOr<v1::IntakeSetting> SetIntakeSetting(const Change& change, int year,
                                                     v1::IntakeMode mode, int64_t expected_version);

  // Figures of a year from each intake; `codes` empty = every institution with data.
  absl::StatusOr<MetricsSource> RecordFigures(int year, const std::vector<std::string>& codes);
  absl::StatusOr<MetricsSource> CountFigures(int year, const std::vector<std::string>& codes);

 private:
  std::string Now() const;
  db::Pool& pool_;
  Clock clock_;
};

}  // namespace zhigai::tracking
