// A project the policy platform (产业政策兑现平台) pushes: declared by an institution for an
// enterprise, judged by the city and the county bureau. These rows feed S1.1 and S1.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/tracking/domain/consulting_kind.h"

namespace zhigai::tracking {

// The largest subsidy one project may carry, in fen: 10,000,000 yuan (1000 万元), hundreds of
// times any consulting subsidy the programme pays, so a real amount always fits and a unit
// mistake (yuan sent as fen times 100 ...) or an overflow attempt is refused. With it a year's
// sum over a million projects stays below 2^63 (the ingest summary's sum cannot wrap).
inline constexpr int64_t kMaxProjectSubsidyFen = 1'000'000'000;

enum class ProjectOutcome { kPending, kApproved, kRejected };

// "PENDING", "APPROVED", "REJECTED".
absl::string_view ProjectOutcomeName(ProjectOutcome outcome);

// "YYYY-MM-DD", the text of core::FormatDate, without str_format: the intake formats up to four
// dates per record (hash and COPY line), which showed in the push profile.
struct IsoDay {
  explicit IsoDay(absl::CivilDay day);
  absl::string_view view() const { return absl::string_view(text, size); }
  char text[24];
  std::size_t size = 0;
};
std::optional<ProjectOutcome> ParseProjectOutcome(absl::string_view name);

// The record's fields by their wire names, in wire order: the columns of the platform's CSV
// export and the field paths a refusal may name.
inline constexpr absl::string_view kProjectRecordFields[] = {"project_id",
                                                             "revision",
                                                             "institution_credit_code",
                                                             "enterprise_credit_code",
                                                             "kind",
                                                             "declaration_date",
                                                             "city_outcome",
                                                             "city_outcome_date",
                                                             "county_outcome",
                                                             "county_outcome_date",
                                                             "subsidy_fen"};

// A record as it arrives. The platform is an outside machine client, so enums and dates come
// as their wire strings and are checked here, one place, field by field.
struct ProjectRecordInput {
  std::string project_id;
  int64_t revision = 0;
  std::string institution_credit_code;
  std::string enterprise_credit_code;
  std::string kind;                 // "DIAGNOSIS" or "SOLUTION_DESIGN"
  std::string declaration_date;     // YYYY-MM-DD
  std::string city_outcome;         // "PENDING", "APPROVED" or "REJECTED"
  std::string city_outcome_date;    // YYYY-MM-DD once decided; empty while PENDING
  std::string county_outcome;       // as city_outcome
  std::string county_outcome_date;  // as city_outcome_date
  int64_t subsidy_fen = 0;
};

// One bureau's verdict; `decided_on` is set exactly when the outcome is not PENDING.
struct BureauOutcome {
  ProjectOutcome outcome = ProjectOutcome::kPending;
  std::optional<absl::CivilDay> decided_on;
  friend bool operator==(const BureauOutcome&, const BureauOutcome&) = default;
};

struct ProjectRecord {
  std::string project_id;
  int64_t revision = 0;
  std::string institution_credit_code;
  std::string enterprise_credit_code;
  ConsultingKind kind = ConsultingKind::kDiagnosis;
  absl::CivilDay declaration_date;
  BureauOutcome city;
  BureauOutcome county;
  int64_t subsidy_fen = 0;
  friend bool operator==(const ProjectRecord&, const ProjectRecord&) = default;
};

// One status per record, naming every bad field (INVALID_ARGUMENT, see errors.h Violations):
// project_id (1-128 characters, one line), revision (>= 1), institution_credit_code and
// enterprise_credit_code (R0.1), kind, declaration_date (YYYY-MM-DD, years 2000-2100),
// city_outcome / county_outcome (known name), city_outcome_date / county_outcome_date
// (required once decided, empty while PENDING, not before declaration_date), subsidy_fen >= 0.
absl::StatusOr<ProjectRecord> ValidateProjectRecord(ProjectRecordInput input);

// S1.1: a successful project is approved by both the city and the county bureau.
bool ApprovedByBoth(const ProjectRecord& record);

}  // namespace zhigai::tracking
