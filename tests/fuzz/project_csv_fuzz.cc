// The policy platform's project CSV (zhigai-tracking-import). Invariants: the reader never
// crashes; rows start on increasing lines and none is blank; rows written back as CSV (every
// field quoted) read back identically; every data row becomes either a record or an unreadable
// line, never both or neither, and a record keeps its row's text fields; the per-year claims
// count each project once.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/tracking/import/csv.h"
#include "services/tracking/import/project_csv.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using zhigai::fuzz::Require;
namespace csv = zhigai::tracking::csv;

std::string Write(const std::vector<csv::Row>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.fields.size(); ++i) {
      if (i > 0) out += ',';
      absl::StrAppend(&out, "\"", absl::StrReplaceAll(row.fields[i], {{"\"", "\"\""}}), "\"");
    }
    out += "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = csv::Parse(text);
  if (!rows.ok()) {
    Require(rows.status().code() == absl::StatusCode::kInvalidArgument, "not INVALID_ARGUMENT");
    Require(absl::StartsWith(rows.status().message(), "line "), "a refusal names no line");
    return 0;
  }
  int last = 0;
  for (const auto& row : *rows) {
    Require(row.line > last, "row lines do not increase");
    Require(!row.fields.empty(), "a row without fields");
    last = row.line;
  }
  auto again = csv::Parse(Write(*rows));
  Require(again.ok() && again->size() == rows->size(), "written rows do not read back");
  for (size_t i = 0; i < rows->size(); ++i) {
    Require((*again)[i].fields == (*rows)[i].fields, "a field changed by a round trip");
  }

  auto file = csv::ReadProjects(*rows);
  if (!file.ok()) return 0;  // no header: the whole file is refused
  Require(file->records.size() == file->lines.size(), "records and lines disagree");
  Require(file->records.size() + file->unreadable.size() == rows->size() - 1,
          "a data row was lost or counted twice");
  std::set<int> seen;
  for (int line : file->lines) seen.insert(line);
  for (const auto& [line, why] : file->unreadable) {
    Require(!why.empty(), "an unreadable line without a reason");
    Require(seen.insert(line).second, "a line is both a record and unreadable");
  }
  std::set<std::string> ids;
  for (const auto& r : file->records) {
    ids.insert(r.project_id());
    Require(r.city_outcome() != zhigai::tracking::v1::PROJECT_OUTCOME_UNSPECIFIED &&
                r.county_outcome() != zhigai::tracking::v1::PROJECT_OUTCOME_UNSPECIFIED,
            "a record with an outcome the file did not name");
  }
  int claimed = 0;
  for (const auto& [year, claim] : csv::ClaimsByYear(file->records)) {
    Require(claim.count > 0 && !claim.checksum.empty(), "an empty year claim");
    claimed += claim.count;
  }
  Require(claimed <= static_cast<int>(ids.size()), "a project is claimed twice");
  return 0;
}
