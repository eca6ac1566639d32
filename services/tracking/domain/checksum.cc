#include "services/tracking/domain/checksum.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/core/sha256.h"

namespace zhigai::tracking {

std::string ChecksumLine(absl::string_view project_id, int64_t revision) {
  return absl::StrCat(project_id, ":", revision, "\n");
}

std::string RecordsChecksum(std::vector<std::pair<std::string, int64_t>> records) {
  std::vector<std::string> lines;
  lines.reserve(records.size());
  for (const auto& [id, revision] : records) lines.push_back(ChecksumLine(id, revision));
  // std::string compares through char_traits<char>, which orders bytes as unsigned char: the
  // same order as PostgreSQL's "C" collation.
  std::sort(lines.begin(), lines.end());
  core::Sha256 hash;
  for (const auto& line : lines) hash.Update(line);
  return hash.HexDigest();
}

}  // namespace zhigai::tracking
