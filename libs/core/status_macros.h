#pragma once

// Early returns for absl::Status and absl::StatusOr, so a function that makes five fallible
// steps reads as five lines. Abseil does not ship these publicly (as of the Debian 12 package);
// these follow the shape of the ones in Google's internal code and in many public projects.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ZHIGAI_STATUS_CONCAT_INNER_(a, b) a##b
#define ZHIGAI_STATUS_CONCAT_(a, b) ZHIGAI_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                                                                \
  do {                                                                                       \
    if (::absl::Status zhigai_status_ = (expr); !zhigai_status_.ok()) return zhigai_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Fallible());` declares (or assigns) x from an OK StatusOr and
// otherwise returns its status. The right-hand side is evaluated exactly once.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ZHIGAI_ASSIGN_OR_RETURN_IMPL_(ZHIGAI_STATUS_CONCAT_(zhigai_statusor_, __LINE__), lhs, expr)

#define ZHIGAI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)
