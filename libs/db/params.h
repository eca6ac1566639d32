#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace zhigai::db {

// One query parameter in PostgreSQL's text format; nullopt is SQL NULL.
class Param {
 public:
  Param(std::nullopt_t) {}
  Param(const char* s) : value_(std::string(s)) {}
  Param(const std::string& s) : value_(s) {}
  Param(std::string&& s) : value_(std::move(s)) {}
  Param(absl::string_view s) : value_(std::string(s)) {}
  Param(int32_t v) : value_(std::to_string(v)) {}
  Param(int64_t v) : value_(std::to_string(v)) {}
  Param(bool v) : value_(v ? "t" : "f") {}
  static Param Bytes(absl::string_view raw);  // bytea, hex-escaped
  static Param NullIfEmpty(absl::string_view s) {
    return s.empty() ? Param(std::nullopt) : Param(s);
  }
  const std::optional<std::string>& value() const { return value_; }

 private:
  std::optional<std::string> value_;
};

using Params = std::vector<Param>;

// PostgreSQL text[] literal from strings (quoted and escaped).
std::string TextArray(const std::vector<std::string>& values);
// Decodes a bytea value in hex output format ("\x...").
std::string DecodeBytea(absl::string_view hex);

}  // namespace zhigai::db
