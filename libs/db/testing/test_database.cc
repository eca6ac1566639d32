#include "libs/db/testing/test_database.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"

namespace zhigai::db::testing {
namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "TestDatabase: %s\n", why.c_str());
  std::abort();
}

std::unique_ptr<Connection> MustOpen(const std::string& conninfo) {
  auto conn = Connection::Open(conninfo);
  if (!conn.ok()) Die(std::string(conn.status().message()));
  return std::move(*conn);
}

}  // namespace

std::unique_ptr<TestDatabase> TestDatabase::Create() {
  const char* admin = std::getenv("ZHIGAI_TEST_PG_ADMIN");
  if (!admin || !*admin) {
    Die("ZHIGAI_TEST_PG_ADMIN is not set: run the tests with `tools/zhigai test`, which starts "
        "a PostgreSQL cluster and sets it");
  }
  std::random_device rd;
  std::string name = absl::StrCat("zt_", getpid(), "_", rd() % 1000000);
  auto conn = MustOpen(absl::StrCat(admin, " dbname=postgres"));
  if (auto s = conn->ExecScript(absl::StrCat("CREATE DATABASE ", name)); !s.ok()) {
    Die(std::string(s.message()));
  }
  return std::unique_ptr<TestDatabase>(new TestDatabase(admin, name));
}

TestDatabase::TestDatabase(std::string base, std::string name)
    : base_conninfo_(std::move(base)),
      admin_conninfo_(absl::StrCat(base_conninfo_, " dbname=", name)),
      name_(std::move(name)) {}

TestDatabase::~TestDatabase() {
  auto conn = Connection::Open(absl::StrCat(base_conninfo_, " dbname=postgres"));
  if (!conn.ok()) return;
  (void)(*conn)->ExecScript(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  for (const auto& [schema, service] : services_) {
    (void)(*conn)->ExecScript(absl::StrCat("DROP ROLE IF EXISTS ", service.role));
  }
}

std::string TestDatabase::ServiceConninfo(const std::string& schema) {
  auto it = services_.find(schema);
  if (it == services_.end()) {
    ServiceDatabase service{schema, absl::StrCat(name_, "_", schema), "test-password"};
    auto admin = Admin();
    if (auto s = ProvisionServiceSchema(*admin, service); !s.ok()) Die(std::string(s.message()));
    it = services_.emplace(schema, service).first;
  }
  // The admin conninfo carries host and port; the service logs in as its own role.
  return absl::StrCat(base_conninfo_, " dbname=", name_, " user=", it->second.role,
                      " password=", it->second.password, " options='-c search_path=", schema, "'");
}

std::unique_ptr<Connection> TestDatabase::Admin() { return MustOpen(admin_conninfo_); }

int64_t TestDatabase::Count(const std::string& schema, const std::string& table,
                            const std::string& where) {
  auto r = Admin()->QueryScript(
      absl::StrCat("SELECT count(*) FROM ", schema, ".", table, " WHERE ", where));
  return r.ok() ? r->Int64(0, 0) : -1;
}

}  // namespace zhigai::db::testing
