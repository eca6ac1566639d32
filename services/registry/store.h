// All SQL of the registry. Each write runs in one transaction with its audit row (and its
// idempotency key where the call has one): a failed call writes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/core/io_policy.h"
#include "libs/db/audit.h"
#include "libs/db/pool.h"
#include "libs/db/stored.h"
#include "services/registry/cache.h"
#include "services/registry/eligibility.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::registry {

using Clock = std::function<absl::Time()>;

using Change = db::Change;

struct InstitutionFilter {
  std::string name_contains, division_code, direction, legal_form;
};

struct PublicChangesPage {
  std::vector<v1::PublicChange> changes;  // in sequence order
  int64_t last_sequence = 0;              // the feed's highest sequence when read
};

class RegistryStore {
 public:
  // `cache` may be null (no caching); see cache.h for how it stays correct across replicas.
  RegistryStore(db::Pool& pool, Clock clock, RegistryCache* cache = nullptr)
      : pool_(pool), clock_(std::move(clock)), cache_(cache) {}

  absl::StatusOr<v1::Institution> CreateInstitution(const Change& change,
                                                    const std::string& idempotency_key,
                                                    v1::Institution institution);
  // With Io::kMemoryOnly, a profile that is not cached is core::NeedsIo().
  absl::StatusOr<v1::Institution> GetInstitution(const std::string& credit_code,
                                                 core::Io io = core::Io::kAllowed);
  // `apply` turns the stored profile into the new one (the domain's update rules); the store
  // checks `expected_version` under a row lock and writes the next version.
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const Change& change, const std::string& credit_code, int64_t expected_version,
      const std::function<absl::StatusOr<v1::Institution>(const v1::Institution&)>& apply);
  absl::StatusOr<std::vector<v1::Institution>> ListInstitutions(const InstitutionFilter& filter,
                                                                const std::string& after,
                                                                int limit);
  absl::StatusOr<std::vector<v1::InstitutionRevision>> ListRevisions(const std::string& credit_code,
                                                                     int64_t before_version,
                                                                     int limit);

  absl::StatusOr<v1::Consortium> CreateConsortium(const Change& change,
                                                  const std::string& idempotency_key,
                                                  v1::Consortium consortium);
  absl::StatusOr<v1::Consortium> GetConsortium(int64_t id);

  absl::StatusOr<v1::DirectoryEntry> Admit(const Change& change, const std::string& idempotency_key,
                                           const v1::AdmitToDirectoryRequest& request);
  absl::StatusOr<v1::DirectoryEntry> GetEntry(int64_t id);
  absl::StatusOr<v1::DirectoryEntry> UpdateEntry(const Change& change, int64_t id,
                                                 int64_t expected_version, v1::EntryStatus status,
                                                 const std::string& reason);
  // The entry's changes with version > after_version, oldest first (NOT_FOUND: no entry).
  absl::StatusOr<std::vector<v1::DirectoryEntryChange>> ListEntryChanges(int64_t id,
                                                                         int64_t after_version,
                                                                         int limit);
  absl::StatusOr<std::vector<v1::DirectoryEntry>> ListEntries(
      const v1::ListDirectoryEntriesRequest& filter, v1::EntryStatus status, int64_t after_id,
      int limit);

  absl::StatusOr<v1::CountyFiling> FileCountyList(const Change& change,
                                                  const std::string& idempotency_key,
                                                  v1::CountyFiling filing);
  absl::StatusOr<std::vector<v1::CountyFiling>> ListCountyFilings(int year,
                                                                  const std::string& division,
                                                                  int64_t after_id, int limit);

  // The feed of public changes after `after_sequence`, at most `limit` (issue 25 item 2).
  absl::StatusOr<PublicChangesPage> ListPublicChanges(int64_t after_sequence, int limit);
  // Appends a change another service decided; a repeated key returns the first answer.
  absl::StatusOr<v1::PublicChange> RecordPublicChange(const Change& change,
                                                      const std::string& idempotency_key,
                                                      v1::PublicChange public_change);

  absl::StatusOr<v1::Sanction> ImposeSanction(const Change& change,
                                              const std::string& idempotency_key,
                                              const v1::ImposeSanctionRequest& request,
                                              absl::CivilDay start, absl::CivilDay last_day,
                                              int rule_version);
  absl::StatusOr<v1::Sanction> GetSanction(int64_t id);
  absl::StatusOr<v1::Sanction> LiftSanction(const Change& change, int64_t id,
                                            int64_t expected_version, const std::string& reason);
  absl::StatusOr<std::vector<v1::Sanction>> ListSanctions(const std::string& credit_code, int year,
                                                          int64_t after_id, int limit);

  // Facts for eligibility of many institutions at once: three queries, whatever the count.
  struct EligibilityFacts {
    std::vector<std::string> known;  // credit codes that are registered
    std::vector<std::pair<std::string, std::pair<int, EntryFact>>> entries;  // code, (year, e)
    std::vector<std::pair<std::string, SanctionFact>> sanctions;
  };
  // With Io::kMemoryOnly, facts not all cached are core::NeedsIo().
  absl::StatusOr<EligibilityFacts> LoadEligibilityFacts(const std::vector<std::string>& codes,
                                                        const std::vector<int>& years,
                                                        core::Io io = core::Io::kAllowed);

 private:
  std::string Now() const;
  absl::StatusOr<EligibilityFacts> QueryEligibilityFacts(const std::vector<std::string>& codes,
                                                         const std::vector<int>& years);
  void Changed(const std::string& code);
  db::Pool& pool_;
  Clock clock_;
  RegistryCache* cache_;
};

}  // namespace zhigai::registry
