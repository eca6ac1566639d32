#include "libs/db/connection.h"

#include <libpq-fe.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/db/connect.h"
#include "libs/db/errors.h"
#include "libs/db/metrics.h"

namespace zhigai::db {
namespace {

const char* Field(const PGresult* res, int code) {
  const char* v = res ? PQresultErrorField(res, code) : nullptr;
  return v ? v : "";
}

absl::Status StatusFromResult(absl::string_view statement, PGconn* conn, const PGresult* res) {
  std::string message = res ? Field(res, PG_DIAG_MESSAGE_PRIMARY) : "";
  if (message.empty()) message = PQerrorMessage(conn);
  std::string sqlstate = Field(res, PG_DIAG_SQLSTATE);
  if (sqlstate.empty() && PQstatus(conn) != CONNECTION_OK) sqlstate = "08006";
  return FromPostgres(statement, sqlstate, message, Field(res, PG_DIAG_CONSTRAINT_NAME));
}

bool Succeeded(const PGresult* res) {
  auto s = PQresultStatus(res);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                             StatementMetrics* metrics) {
  PGconn* conn = ConnectPostgres(conninfo);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return FromPostgres("connect", "08001", why, "");
  }
  // Server notices ("relation already exists, skipping") are not errors; keep stderr for logs.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, metrics));
}

Connection::Connection(pg_conn* conn, StatementMetrics* metrics) : conn_(conn), metrics_(metrics) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

absl::Status Connection::SetTimeout(int timeout_ms) {
  if (timeout_ms == timeout_ms_) return absl::OkStatus();
  absl::Status s = ExecScript(absl::StrCat("SET statement_timeout = ", timeout_ms));
  if (s.ok()) timeout_ms_ = timeout_ms;
  return s;
}

absl::StatusOr<Result> Connection::Exec(const Statement& statement, const Params& params) {
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](absl::StatusOr<Result> r) {
    if (metrics_) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics_->Observe(statement.name, secs, r.ok());
    }
    if (!r.ok() && IsConnectionLost(r.status())) broken_ = true;
    return r;
  };
  if (absl::Status s = SetTimeout(statement.timeout_ms); !s.ok()) return finish(s);
  if (!prepared_.count(statement.name)) {
    PGresult* prep = PQprepare(conn_, statement.name, statement.sql, 0, nullptr);
    absl::Status s =
        Succeeded(prep) ? absl::OkStatus() : StatusFromResult(statement.name, conn_, prep);
    PQclear(prep);
    if (!s.ok()) return finish(s);
    prepared_.insert(statement.name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.value() ? p.value()->c_str() : nullptr);
  PGresult* res = PQexecPrepared(conn_, statement.name, static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0);
  if (!Succeeded(res)) {
    absl::Status s = StatusFromResult(statement.name, conn_, res);
    PQclear(res);
    return finish(s);
  }
  return finish(Result(res));
}

absl::StatusOr<Result> Connection::QueryScript(absl::string_view sql) {
  std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  if (!Succeeded(res)) {
    absl::Status s = StatusFromResult("script", conn_, res);
    PQclear(res);
    if (IsConnectionLost(s)) broken_ = true;
    return s;
  }
  return Result(res);
}

absl::Status Connection::ExecScript(absl::string_view sql) { return QueryScript(sql).status(); }

}  // namespace zhigai::db
