// A strict reader for the reference data files in data/ (README: plain UTF-8, tab-separated,
// first line is the header, no comment lines). Used by refdata and libs/calendar.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::core {

using TsvRows = std::vector<std::vector<std::string>>;

// Reads the file at `path` and returns its data rows (header excluded), each with exactly
// expected_header.size() fields; fields may be empty and are not trimmed. Refused with an
// error naming the file and line: a missing or unreadable file (NOT_FOUND), or
// (FAILED_PRECONDITION, reason REFERENCE_DATA_INVALID) a header other than `expected_header`,
// a row with another column count, an empty line, a CR (Windows line end), a byte-order mark
// or invalid UTF-8. A final newline is optional.
absl::StatusOr<TsvRows> ReadTsv(absl::string_view path,
                                const std::vector<std::string>& expected_header);

// The same checks on text already in memory; `source` names it in error messages.
absl::StatusOr<TsvRows> ParseTsv(absl::string_view content, absl::string_view source,
                                 const std::vector<std::string>& expected_header);

// The error the readers return for bad content, for loaders that check the fields further:
// FAILED_PRECONDITION, reason REFERENCE_DATA_INVALID, message "<source>:<line>: <problem>".
absl::Status TsvError(absl::string_view source, std::size_t line, absl::string_view problem);

}  // namespace zhigai::core
