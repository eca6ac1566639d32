#include "libs/db/connect.h"

#include <libpq-fe.h>

namespace zhigai::db {

pg_conn* ConnectPostgres(const std::string& conninfo) {
  // With expand_dbname, the conninfo's own settings override the keywords before it.
  static const std::string timeout = std::to_string(kDefaultConnectTimeoutSeconds);
  const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {timeout.c_str(), conninfo.c_str(), nullptr};
  return PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
}

}  // namespace zhigai::db
