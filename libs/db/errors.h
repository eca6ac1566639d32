// PostgreSQL errors are classified once, by SQLSTATE, into absl::Status codes. The SQLSTATE and
// the constraint name ride along as payloads so a store can turn a specific unique violation
// into the domain's ALREADY_EXISTS with its own reason.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zhigai::db {

absl::StatusCode CodeForSqlState(absl::string_view sqlstate);
absl::Status FromPostgres(absl::string_view statement, absl::string_view sqlstate,
                          absl::string_view message, absl::string_view constraint);
std::string SqlStateOf(const absl::Status& status);
std::string ConstraintOf(const absl::Status& status);
// Serialization failure or deadlock: the whole transaction may be run again.
bool IsRetryable(const absl::Status& status);
// The connection itself is gone (server restart, network): the connection must be dropped.
bool IsConnectionLost(const absl::Status& status);

}  // namespace zhigai::db
