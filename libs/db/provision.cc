#include "libs/db/provision.h"

#include <libpq-fe.h>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace zhigai::db {
namespace {

bool IsPlainIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

std::string Literal(Connection& conn, const std::string& value) {
  char* quoted = PQescapeLiteral(conn.raw(), value.c_str(), value.size());
  std::string out = quoted ? quoted : "''";
  PQfreemem(quoted);
  return out;
}

absl::Status ProvisionLocked(Connection& admin, const ServiceDatabase& s) {
  if (!IsPlainIdentifier(s.schema) || !IsPlainIdentifier(s.role)) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema and role must be lower-case identifiers: ", s.schema, ", ", s.role));
  }
  std::string password = Literal(admin, s.password);
  // DO blocks cannot take parameters; the identifiers are checked above, the password quoted.
  std::string sql = absl::StrCat(
      "DO $$ BEGIN\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '",
      s.role,
      "') THEN\n"
      // Two provisioners at once (migration jobs, side-by-side tests) both see no role; the
      // loser of the race sets the password instead of failing on pg_authid's unique key.
      "    BEGIN\n"
      "      CREATE ROLE ",
      s.role, " LOGIN PASSWORD ", password,
      ";\n"
      "    EXCEPTION WHEN duplicate_object OR unique_violation THEN\n"
      "      ALTER ROLE ",
      s.role, " LOGIN PASSWORD ", password,
      ";\n"
      "    END;\n"
      "  ELSE\n"
      "    ALTER ROLE ",
      s.role, " LOGIN PASSWORD ", password,
      ";\n"
      "  END IF;\n"
      "END $$;\n"
      "CREATE SCHEMA IF NOT EXISTS ",
      s.schema, " AUTHORIZATION ", s.role,
      ";\n"
      "ALTER SCHEMA ",
      s.schema, " OWNER TO ", s.role,
      ";\n"
      "ALTER ROLE ",
      s.role, " SET search_path = ", s.schema,
      ";\n"
      "REVOKE ALL ON SCHEMA public FROM ",
      s.role,
      ";\n"
      "REVOKE ALL ON SCHEMA ",
      s.schema, " FROM PUBLIC;\n");
  RETURN_IF_ERROR(admin.ExecScript(sql));
  ASSIGN_OR_RETURN(auto db, admin.QueryScript("SELECT current_database()"));
  return admin.ExecScript(
      absl::StrCat("GRANT CONNECT ON DATABASE \"", db.String(0, 0), "\" TO ", s.role));
}

}  // namespace

absl::Status ProvisionServiceSchema(Connection& admin, const ServiceDatabase& s) {
  // Provisioners of one database take turns: two at once (migration jobs, side-by-side tests)
  // update the same catalog rows and one fails with "tuple concurrently updated".
  constexpr char kLock[] = "SELECT pg_advisory_lock(hashtext('zhigai.provision'))";
  constexpr char kUnlock[] = "SELECT pg_advisory_unlock(hashtext('zhigai.provision'))";
  RETURN_IF_ERROR(admin.ExecScript(kLock));
  absl::Status result = ProvisionLocked(admin, s);
  (void)admin.ExecScript(kUnlock);  // the session's end releases it too
  return result;
}

std::string ServiceConninfo(const std::string& host, int port, const std::string& dbname,
                            const ServiceDatabase& s) {
  return absl::StrCat("host=", host, " port=", port, " dbname=", dbname, " user=", s.role,
                      " password=", s.password, " options='-c search_path=", s.schema,
                      "' application_name=zhigai-", s.schema);
}

}  // namespace zhigai::db
