#include "services/tracking/copy_in.h"

#include <libpq-fe.h>

#include <utility>

#include "libs/db/errors.h"

namespace zhigai::tracking {
namespace {

// PostgreSQL's epoch for dates and timestamps.
constexpr absl::CivilDay kPostgresEpochDay(2000, 1, 1);
constexpr int64_t kPostgresEpochUnixMicros = 946684800LL * 1000000;

std::string Field(const PGresult* res, int code) {
  const char* v = res ? PQresultErrorField(res, code) : nullptr;
  return v ? v : "";
}

absl::Status Failed(const CopyStatement& statement, PGconn* conn, const PGresult* res) {
  std::string message = Field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = PQerrorMessage(conn);
  std::string sqlstate = Field(res, PG_DIAG_SQLSTATE);
  if (sqlstate.empty() && PQstatus(conn) != CONNECTION_OK) sqlstate = "08006";
  return db::FromPostgres(statement.name, sqlstate, message, Field(res, PG_DIAG_CONSTRAINT_NAME));
}

}  // namespace

BinaryCopyRows::BinaryCopyRows() {
  // Signature (11 bytes: "PGCOPY\n\377\r\n\0"), flags (no OIDs), header extension length.
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
  out_.append(kSignature, sizeof kSignature);  // the terminating NUL is the signature's last byte
  Put32(0);
  Put32(0);
}

void BinaryCopyRows::Put16(uint16_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out_.append(b, sizeof b);
}

void BinaryCopyRows::Put32(uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out_.append(b, sizeof b);
}

void BinaryCopyRows::Put64(uint64_t v) {
  Put32(static_cast<uint32_t>(v >> 32));
  Put32(static_cast<uint32_t>(v));
}

void BinaryCopyRows::Row(int fields) { Put16(static_cast<uint16_t>(fields)); }

void BinaryCopyRows::Null() { Put32(0xFFFFFFFFu); }  // length -1

void BinaryCopyRows::Text(absl::string_view value) {
  Put32(static_cast<uint32_t>(value.size()));
  out_.append(value.data(), value.size());
}

void BinaryCopyRows::Int64(int64_t value) {
  Put32(8);
  Put64(static_cast<uint64_t>(value));
}

void BinaryCopyRows::Int32(int32_t value) {
  Put32(4);
  Put32(static_cast<uint32_t>(value));
}

void BinaryCopyRows::Bool(bool value) {
  Put32(1);
  out_.push_back(value ? 1 : 0);
}

void BinaryCopyRows::Date(absl::CivilDay day) {
  Put32(4);
  Put32(static_cast<uint32_t>(static_cast<int32_t>(day - kPostgresEpochDay)));
}

void BinaryCopyRows::Date(const std::optional<absl::CivilDay>& day) {
  if (day) {
    Date(*day);
  } else {
    Null();
  }
}

void BinaryCopyRows::Timestamp(absl::Time time) {
  Int64(absl::ToUnixMicros(time) - kPostgresEpochUnixMicros);
}

std::string BinaryCopyRows::Finish() && {
  Put16(0xFFFFu);  // field count -1
  return std::move(out_);
}

absl::Status CopyIn(db::Connection& conn, const CopyStatement& statement, absl::string_view data) {
  PGconn* pg = conn.raw();
  PGresult* res = PQexec(pg, statement.sql);
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    absl::Status s = Failed(statement, pg, res);
    PQclear(res);
    return s;
  }
  PQclear(res);
  // One call for the whole batch (about 300 KB for 1000 projects): libpq buffers and sends it.
  bool sent = PQputCopyData(pg, data.data(), static_cast<int>(data.size())) == 1;
  if (PQputCopyEnd(pg, sent ? nullptr : "client could not send the data") != 1) {
    return Failed(statement, pg, nullptr);
  }
  absl::Status status = absl::OkStatus();
  while ((res = PQgetResult(pg)) != nullptr) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && status.ok()) {
      status = Failed(statement, pg, res);
    }
    PQclear(res);
  }
  return status;
}

}  // namespace zhigai::tracking
