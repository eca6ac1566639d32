// All SQL of the review service. Every write runs in one transaction with its audit row (and
// its idempotency key where the call has one): a refused or failed call writes nothing.
// Methods that take a `db::Connection&` run inside a transaction the caller opened through
// one of the Mutate* methods, so a multi-step change (selection, admission) is atomic.
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
#include "libs/outbox/outbox.h"
#include "zhigai/review/v1/review.pb.h"

namespace zhigai::review {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

struct StoredApplication {
  int64_t id = 0;
  int64_t call_id = 0;
  v1::Application app;  // name, state, version and times filled in
  std::optional<v1::EligibilityChecklist> checklist;
};

struct SelectionRow {
  int64_t application_id = 0;
  std::string direction;  // CONSULTING / TRAINING
  int64_t sum_ten_thousandths = 0;
  int experts_counted = 0;
  int experts_scored = 0;
  int rank = 0;
  bool selected = false;
  bool boundary_tie = false;
};

struct ScoreRow {
  int64_t application_id = 0;
  int64_t expert_id = 0;
  std::string direction;
  v1::ExpertScoreSheet sheet;
};

struct ObjectionRow {
  int64_t id = 0;
  v1::Objection objection;  // name, application, status ... filled in
  int64_t application_id = 0;
};

struct AdmissionRow {
  int64_t application_id = 0;
  std::string direction;
  std::string credit_code;
  std::string command_id;
};

struct DocumentRow {
  int64_t id = 0;
  int64_t application_id = 0;
  v1::Document document;
};

std::string CallName(int64_t id);
std::string ApplicationName(int64_t call_id, int64_t id);

class ReviewStore {
 public:
  ReviewStore(db::Pool& pool, Clock clock) : pool_(pool), clock_(std::move(clock)) {}

  // ---- calls
  absl::StatusOr<v1::Call> CreateCall(const Change& change, const std::string& key, v1::Call call);
  absl::StatusOr<v1::Call> GetCall(int64_t id);
  // The call read inside a transaction, locked against concurrent state changes.
  absl::StatusOr<v1::Call> CallForShare(db::Connection& c, int64_t id);
  // Newest first; `before_id` 0 = from the newest. Drafts only when `with_drafts`.
  absl::StatusOr<std::vector<v1::Call>> ListCalls(int year, bool with_drafts, int64_t before_id,
                                                  int limit);
  // Locks the call, checks `expected_version` (0 = any), lets `fn` change it (and do more in
  // the same transaction), then writes the next version with its audit row.
  absl::StatusOr<v1::Call> MutateCall(
      const Change& change, int64_t id, int64_t expected_version,
      const std::function<absl::Status(db::Connection&, v1::Call&)>& fn);

  // ---- applications
  // `check` sees the call (locked against state changes) before the insert.
  absl::StatusOr<StoredApplication> CreateApplication(
      const Change& change, const std::string& key, int64_t call_id, v1::Application app,
      const std::function<absl::Status(const v1::Call&)>& check);
  absl::StatusOr<StoredApplication> GetApplication(int64_t call_id, int64_t id);
  struct ApplicationFilter {
    std::string credit_code;  // an institution: its own, or one it is a consortium member of
    int64_t expert_id = 0;    // an expert: assigned applications only
  };
  absl::StatusOr<std::vector<StoredApplication>> ListApplications(int64_t call_id,
                                                                  const ApplicationFilter& filter,
                                                                  int64_t after_id, int limit);
  // Locks the call (shared) and the application, checks the version (0 = any), runs `fn`, and
  // writes the application (body, state, checklist) with the next version and an audit row.
  absl::StatusOr<StoredApplication> MutateApplication(
      const Change& change, int64_t call_id, int64_t id, int64_t expected_version,
      const std::function<absl::Status(db::Connection&, const v1::Call&, StoredApplication&)>& fn);
  // Every application of a call, in id order (inside a transaction or on its own).
  absl::StatusOr<std::vector<StoredApplication>> ApplicationsOfCall(db::Connection& c,
                                                                    int64_t call_id);
  absl::StatusOr<std::vector<StoredApplication>> ApplicationsOfCall(int64_t call_id);

  // ---- documents
  // Stores a complete, verified document. `check` sees the call and the locked application.
  absl::StatusOr<v1::Document> StoreDocument(
      const Change& change, const std::string& key, int64_t call_id, int64_t application_id,
      v1::Document meta, const std::string& content,
      const std::function<absl::Status(const v1::Call&, const StoredApplication&)>& check);
  absl::StatusOr<DocumentRow> GetDocument(int64_t id);
  absl::StatusOr<std::vector<DocumentRow>> ListDocuments(int64_t application_id, int64_t after_id,
                                                         int limit);
  // Calls `sink` with each stored chunk in order; stops at the first error it returns.
  absl::Status ReadDocument(int64_t id, const std::function<absl::Status(std::string)>& sink);
  // Purposes and ids of an application's documents (R5.4 QC evidence).
  absl::StatusOr<std::vector<std::pair<v1::DocumentPurpose, int64_t>>> DocumentPurposes(
      db::Connection& c, int64_t application_id);

  // ---- experts and review
  absl::StatusOr<v1::Expert> CreateExpert(const Change& change, const std::string& key,
                                          v1::Expert expert);
  absl::StatusOr<std::vector<v1::Expert>> ListExperts(int64_t after_id, int limit);
  absl::StatusOr<std::vector<v1::Expert>> ExpertsById(const std::vector<int64_t>& ids);
  absl::StatusOr<std::optional<int64_t>> ExpertIdOfSubject(const std::string& subject);
  absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Assignments(int64_t call_id);
  absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Assignments(db::Connection& c,
                                                                       int64_t call_id);
  absl::StatusOr<bool> IsAssigned(int64_t application_id, int64_t expert_id);
  // Inserts (application, expert) pairs of a REVIEWING call; existing pairs are kept. A new
  // assignment, like a new score sheet, discards the call's selection (it must be made again).
  absl::Status InsertAssignments(const Change& change, int64_t call_id,
                                 const std::vector<std::pair<int64_t, int64_t>>& pairs);
  absl::StatusOr<v1::ExpertScoreSheet> SaveScoreSheet(const Change& change, int64_t call_id,
                                                      int64_t application_id, int64_t expert_id,
                                                      v1::ExpertScoreSheet sheet);
  absl::StatusOr<std::vector<ScoreRow>> ScoreSheets(db::Connection& c, int64_t call_id);
  absl::Status ReplaceSelections(db::Connection& c, int64_t call_id,
                                 const std::vector<SelectionRow>& rows);
  absl::StatusOr<std::vector<SelectionRow>> Selections(db::Connection& c, int64_t call_id);
  absl::StatusOr<std::vector<SelectionRow>> Selections(int64_t call_id);

  // ---- notice, objections, admission
  absl::StatusOr<v1::Objection> CreateObjection(
      const Change& change, const std::string& key, int64_t call_id, int64_t application_id,
      v1::Objection objection, const std::function<absl::Status(const v1::Call&)>& check);
  absl::StatusOr<ObjectionRow> GetObjection(int64_t call_id, int64_t id);
  absl::StatusOr<v1::Objection> ResolveObjection(
      const Change& change, int64_t call_id, int64_t id, int64_t expected_version, bool uphold,
      const std::string& resolution, const std::function<absl::Status(const v1::Call&)>& check);
  absl::StatusOr<std::vector<ObjectionRow>> Objections(db::Connection& c, int64_t call_id);
  absl::StatusOr<std::vector<ObjectionRow>> ListObjections(int64_t call_id, int64_t after_id,
                                                           int limit);
  // Records an admission decided by FinishCall; its command is enqueued later by
  // PromoteAdmissions, once the applicant's registration command is delivered.
  absl::Status InsertAdmission(db::Connection& c, int64_t call_id, const AdmissionRow& row);
  // One transaction: enqueues the admission commands (built by `build`) of up to `limit`
  // admissions whose registration the registry acknowledged, and marks them enqueued.
  // Returns how many were enqueued.
  absl::StatusOr<int> PromoteAdmissions(
      int limit,
      const std::function<absl::StatusOr<outbox::Command>(const v1::Call&, int64_t call_id,
                                                          const AdmissionRow&)>& build);
  absl::StatusOr<std::vector<AdmissionRow>> Admissions(int64_t call_id);
  // Puts the refused commands of an application's admissions (its registration, its
  // directions) back in the outbox's queue, audited; how many went back (0: none refused).
  absl::StatusOr<int> RequeueRefusedAdmissions(const Change& change, int64_t call_id,
                                               int64_t application_id);

  std::string Now() const;

 private:
  db::Pool& pool_;
  Clock clock_;
};

}  // namespace zhigai::review
