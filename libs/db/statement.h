// Every SQL statement of a service is a named constant. The name keys the statement's latency
// metric and its server-side prepared statement; the timeout bounds it on the server.
#pragma once

namespace zhigai::db {

struct Statement {
  const char* name;  // "<service>.<what>", e.g. "registry.get_institution"
  const char* sql;   // parameterised ($1, $2, ...) — values are never spliced into SQL text
  int timeout_ms = 2000;
};

}  // namespace zhigai::db
