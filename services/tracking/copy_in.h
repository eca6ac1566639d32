// COPY ... FROM STDIN on a pooled connection, inside the caller's transaction: the bulk path
// for rows known to be new (PostgreSQL inserts them in multi-row heap batches, several times
// cheaper than INSERT ... SELECT). libs/db has no COPY yet; this is the one place that does it.
//
// The rows go in PostgreSQL's binary COPY format: the server then takes dates, timestamps and
// numbers as stored instead of parsing their text (parsing the COPY text, dates and timestamps
// above all, was a fifth of the database's time in the push profile). libpq has no encoder for
// it, hence BinaryCopyRows below, which writes the column types the tracking tables use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/db/connection.h"

namespace zhigai::tracking {

struct CopyStatement {
  const char* name;  // "<service>.<what>", names errors as db::Statement does
  const char* sql;   // "COPY table (columns) FROM STDIN (FORMAT binary)"
};

// The data of one binary COPY: the signature and header, then rows of length-prefixed
// big-endian fields (the layout of PostgreSQL's "COPY BINARY" documentation and of each type's
// send/recv function), then the trailer Finish adds. Every row must give exactly the fields
// the statement names, each in its column's type: the server checks lengths and refuses a
// mismatch, it does not convert.
class BinaryCopyRows {
 public:
  BinaryCopyRows();

  void Reserve(std::size_t bytes) { out_.reserve(bytes); }
  void Row(int fields);                                 // starts a row of `fields` fields
  void Null();                                          // any type
  void Text(absl::string_view value);                   // text: the UTF-8 bytes, unescaped
  void Int64(int64_t value);                            // bigint
  void Int32(int32_t value);                            // integer
  void Bool(bool value);                                // boolean
  void Date(absl::CivilDay day);                        // date: days since 2000-01-01
  void Date(const std::optional<absl::CivilDay>& day);  // NULL when unset
  void Timestamp(absl::Time time);  // timestamptz: microseconds since 2000-01-01 00:00 UTC

  // The complete data (trailer added), for CopyIn. The writer is spent afterwards.
  std::string Finish() &&;

 private:
  void Put16(uint16_t v);
  void Put32(uint32_t v);
  void Put64(uint64_t v);
  std::string out_;
};

// Sends `data` (a complete COPY payload in the statement's format) and ends the COPY. Errors
// carry SQLSTATE and constraint as db::FromPostgres does, so db::ConstraintOf works on them.
absl::Status CopyIn(db::Connection& conn, const CopyStatement& statement, absl::string_view data);

}  // namespace zhigai::tracking
