#include "services/tracking/import/csv.h"

#include "absl/strings/str_cat.h"

namespace zhigai::tracking::csv {

absl::StatusOr<std::vector<Row>> Parse(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Row> rows;
  Row row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false, after_quote = false, row_has_content = false;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_row = [&] {
    end_field();
    // A blank line is one empty field: skip it.
    if (row_has_content || row.fields.size() > 1 || !row.fields[0].empty()) {
      rows.push_back(std::move(row));
    }
    row = Row();
    row.line = line;
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      end_field();
      row_has_content = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_row();
    } else if (after_quote) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": text after a closing quote"));
    } else if (c == '"' && field.empty()) {
      in_quotes = true;
      row_has_content = true;
    } else {
      field += c;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", row.line, ": a quoted field is never closed"));
  }
  if (!field.empty() || !row.fields.empty() || row_has_content) end_row();
  return rows;
}

}  // namespace zhigai::tracking::csv
