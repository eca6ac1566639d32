// Opening a libpq connection with the defaults zhigai relies on.
#pragma once

#include <string>

struct pg_conn;

namespace zhigai::db {

// libpq waits for ever on a server that accepts the TCP connection (or drops its packets) and
// never answers, unless connect_timeout is set: a blackholed database would hang a service's
// start and every call. So connect_timeout defaults to kDefaultConnectTimeoutSeconds; a
// conninfo that sets its own wins. The caller owns the result (PQfinish), as with PQconnectdb.
inline constexpr int kDefaultConnectTimeoutSeconds = 5;
pg_conn* ConnectPostgres(const std::string& conninfo);

}  // namespace zhigai::db
