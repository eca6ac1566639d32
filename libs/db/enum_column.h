#pragma once

// Reads a text column that stores a protobuf enum by its value name. A name the enum does not
// know (a corrupt row, a hand edit, a value written by a newer release) is DATA_LOSS naming the
// column and the text, never a silent *_UNSPECIFIED: a status that reads as "unknown" would be
// shown, counted and scored as if it were a real state.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "libs/db/result.h"

namespace zhigai::db {

// `column` names the table and column for the message ("registry.directory_entries.status").
template <typename Enum>
absl::StatusOr<Enum> EnumColumn(const Result& r, int row, int col, absl::string_view column) {
  const google::protobuf::EnumDescriptor* descriptor = google::protobuf::GetEnumDescriptor<Enum>();
  const std::string text(r.Text(row, col));
  const google::protobuf::EnumValueDescriptor* value = descriptor->FindValueByName(text);
  if (value == nullptr) {
    return absl::DataLossError(absl::StrCat(column, " holds \"", text, "\", which is not a ",
                                            descriptor->full_name(), " value"));
  }
  return static_cast<Enum>(value->number());
}

// The same for a column that may be empty (NULL or ''), which reads as `when_empty`.
template <typename Enum>
absl::StatusOr<Enum> OptionalEnumColumn(const Result& r, int row, int col, absl::string_view column,
                                        Enum when_empty) {
  if (r.IsNull(row, col) || r.Text(row, col).empty()) return when_empty;
  return EnumColumn<Enum>(r, row, col, column);
}

}  // namespace zhigai::db
