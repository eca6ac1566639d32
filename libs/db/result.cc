#include "libs/db/result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace zhigai::db {

void Result::Deleter::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* res) : res_(res) {}

int Result::rows() const { return res_ ? PQntuples(res_.get()) : 0; }

int Result::affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::atoi(n) : 0;
}

bool Result::IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) == 1; }

absl::string_view Result::Text(int row, int col) const {
  return absl::string_view(PQgetvalue(res_.get(), row, col),
                           static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

int64_t Result::Int64(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10);
}

bool Result::Bool(int row, int col) const { return !IsNull(row, col) && Text(row, col) == "t"; }

}  // namespace zhigai::db
