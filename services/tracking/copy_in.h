// COPY ... FROM STDIN on a pooled connection, inside the caller's transaction: the bulk path
// for rows known to be new (PostgreSQL inserts them in multi-row heap batches, several times
// cheaper than INSERT ... SELECT). libs/db has no COPY yet; this is the one place that does it.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/db/connection.h"

namespace zhigai::tracking {

struct CopyStatement {
  const char* name;  // "<service>.<what>", names errors as db::Statement does
  const char* sql;   // "COPY table (columns) FROM STDIN" (text format)
};

// Appends one text-format field: backslash, tab, newline and carriage return escaped.
void AppendCopyField(std::string& line, absl::string_view value);

// Sends `data` (complete lines) and ends the COPY. Errors carry SQLSTATE and constraint as
// db::FromPostgres does, so db::ConstraintOf works on them.
absl::Status CopyIn(db::Connection& conn, const CopyStatement& statement, absl::string_view data);

}  // namespace zhigai::tracking
