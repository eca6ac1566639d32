#include "libs/db/params.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace zhigai::db {

Param Param::Bytes(absl::string_view raw) {
  return Param(absl::StrCat("\\x", absl::BytesToHexString(raw)));
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string DecodeBytea(absl::string_view hex) {
  if (hex.size() >= 2 && hex[0] == '\\' && hex[1] == 'x') hex.remove_prefix(2);
  return absl::HexStringToBytes(hex);
}

}  // namespace zhigai::db
