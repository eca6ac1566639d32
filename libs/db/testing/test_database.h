// A fresh PostgreSQL database per test binary run, on the cluster that `tools/zhigai test`
// starts (its admin conninfo is in ZHIGAI_TEST_PG_ADMIN). Each service schema gets its own
// role, as in production, so a test also proves the service needs nothing beyond its schema.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/db/connection.h"
#include "libs/db/provision.h"

namespace zhigai::db::testing {

class TestDatabase {
 public:
  // Creates the database; the process aborts with a clear message when no cluster is given.
  static std::unique_ptr<TestDatabase> Create();
  ~TestDatabase();

  // Provisions `schema` (once) and returns a conninfo that logs in as its own role.
  std::string ServiceConninfo(const std::string& schema);
  // A superuser connection to this database, for assertions that look behind the API.
  std::unique_ptr<Connection> Admin();
  // Rows of `schema`.`table` matching `where` (SQL), as the admin; -1 when the query fails.
  int64_t Count(const std::string& schema, const std::string& table,
                const std::string& where = "true");
  const std::string& name() const { return name_; }
  const std::string& admin_conninfo() const { return admin_conninfo_; }

 private:
  TestDatabase(std::string base_conninfo, std::string name);
  std::string base_conninfo_;   // admin, maintenance database
  std::string admin_conninfo_;  // admin, this database
  std::string name_;
  std::map<std::string, ServiceDatabase> services_;
};

}  // namespace zhigai::db::testing
