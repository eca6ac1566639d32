// The policy platform's CSV export of projects, read into the records PushProjects takes.
// Columns are found by header name (any order; unknown columns are ignored):
//   project_id, revision, institution_credit_code, enterprise_credit_code, kind,
//   declaration_date, city_outcome, city_outcome_date, county_outcome, county_outcome_date,
//   subsidy_fen
// kind is DIAGNOSIS or SOLUTION_DESIGN; outcomes are PENDING, APPROVED or REJECTED. The
// service judges every field; this reader only refuses what cannot be carried (a revision or
// amount that is not an integer, an unknown enum name), naming the line.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/tracking/import/csv.h"
#include "zhigai/tracking/v1/tracking.pb.h"

namespace zhigai::tracking::csv {

struct ParsedFile {
  std::vector<v1::ProjectRecord> records;
  std::vector<int> lines;  // the CSV line of each record
  // Lines that could not become a record at all, with the reason.
  std::vector<std::pair<int, std::string>> unreadable;
};

absl::StatusOr<ParsedFile> ReadProjects(const std::vector<Row>& rows);

// Per declaration year: the number of distinct projects and the reconciliation checksum of
// their newest revision in the file (what ReconcileProjects expects when the file is complete).
struct YearClaim {
  int count = 0;
  std::string checksum;
};
std::map<int, YearClaim> ClaimsByYear(const std::vector<v1::ProjectRecord>& records);

}  // namespace zhigai::tracking::csv
