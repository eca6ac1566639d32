#include "libs/core/tsv.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"

namespace zhigai::core {

absl::Status TsvError(absl::string_view source, std::size_t line, absl::string_view problem) {
  std::string where = absl::StrCat(source, ":", line);
  return Error(absl::StatusCode::kFailedPrecondition, "REFERENCE_DATA_INVALID",
               absl::StrCat(where, ": ", problem),
               absl::StrCat("参考数据文件有误（", where, "）：", problem));
}

absl::StatusOr<TsvRows> ParseTsv(absl::string_view content, absl::string_view source,
                                 const std::vector<std::string>& expected_header) {
  if (content.empty()) return TsvError(source, 1, "file is empty, expected a header line");
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) {
    return TsvError(source, 1, "file starts with a UTF-8 byte-order mark; save it without one");
  }
  // One final newline ends the last line; anything more is an empty line.
  if (content.back() == '\n') content.remove_suffix(1);

  std::vector<absl::string_view> lines = absl::StrSplit(content, '\n');
  TsvRows rows;
  rows.reserve(lines.size() - 1);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t number = i + 1;
    absl::string_view line = lines[i];
    if (line.empty()) return TsvError(source, number, "empty line");
    if (line.find('\r') != absl::string_view::npos) {
      return TsvError(source, number, "carriage return (CR) found; use Unix line ends (LF)");
    }
    if (!IsValidUtf8(line)) return TsvError(source, number, "not valid UTF-8");
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    if (i == 0) {
      if (fields != expected_header) {
        return TsvError(
            source, number,
            absl::StrCat("header is \"", absl::StrJoin(fields, "\\t"), "\", expected \"",
                         absl::StrJoin(expected_header, "\\t"), "\""));
      }
      continue;
    }
    if (fields.size() != expected_header.size()) {
      return TsvError(
          source, number,
          absl::StrCat("has ", fields.size(), " columns, expected ", expected_header.size()));
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

absl::StatusOr<TsvRows> ReadTsv(absl::string_view path,
                                const std::vector<std::string>& expected_header) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return Error(absl::StatusCode::kNotFound, "REFERENCE_DATA_MISSING",
                 absl::StrCat(path, ": cannot open reference data file"),
                 absl::StrCat("无法打开参考数据文件：", path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return Error(absl::StatusCode::kNotFound, "REFERENCE_DATA_MISSING",
                 absl::StrCat(path, ": cannot read reference data file"),
                 absl::StrCat("无法读取参考数据文件：", path));
  }
  return ParseTsv(content.str(), path, expected_header);
}

}  // namespace zhigai::core
