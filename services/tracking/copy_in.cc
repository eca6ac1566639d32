#include "services/tracking/copy_in.h"

#include <libpq-fe.h>

#include "libs/db/errors.h"

namespace zhigai::tracking {
namespace {

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

void AppendCopyField(std::string& line, absl::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
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
