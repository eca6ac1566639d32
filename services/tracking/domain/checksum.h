// The reconciliation checksum the policy platform and zhigai both compute over a set of
// project records (a batch, or a year's projects at their newest revision), so a mismatch in
// what was sent and what was stored shows without comparing record by record.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace zhigai::tracking {

// One line per record: "<project_id>:<revision>\n".
std::string ChecksumLine(absl::string_view project_id, int64_t revision);

// Lower-case hex SHA-256 of the lines sorted bytewise (unsigned) and concatenated; the empty
// set hashes the empty string. Order of the input does not matter, repeats do. The store
// computes the same value in SQL (ORDER BY ... COLLATE "C"); both must stay in step.
std::string RecordsChecksum(std::vector<std::pair<std::string, int64_t>> records);

}  // namespace zhigai::tracking
