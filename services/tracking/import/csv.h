// RFC 4180 CSV, as spreadsheet programs export it: fields separated by commas, optionally in
// double quotes (a quote inside doubled), quoted fields may hold commas and line breaks,
// lines end in CRLF or LF, and a UTF-8 byte-order mark at the start is ignored.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::tracking::csv {

struct Row {
  int line = 0;  // 1-based line where the row starts (for operators' messages)
  std::vector<std::string> fields;
};

// Parses a whole document. Blank lines are skipped. INVALID_ARGUMENT naming the line for a
// quote that never closes or text right after a closing quote.
absl::StatusOr<std::vector<Row>> Parse(absl::string_view text);

}  // namespace zhigai::tracking::csv
