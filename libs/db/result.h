#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

struct pg_result;

namespace zhigai::db {

// Owns a libpq result; text-format values only (the project never asks for binary results).
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res);
  int rows() const;
  int affected() const;  // rows touched by INSERT/UPDATE/DELETE
  bool IsNull(int row, int col) const;
  absl::string_view Text(int row, int col) const;
  std::string String(int row, int col) const { return std::string(Text(row, col)); }
  int64_t Int64(int row, int col) const;  // 0 when NULL
  bool Bool(int row, int col) const;      // PostgreSQL's 't'/'f'

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace zhigai::db
