#include "libs/server/config.h"

#include <gtest/gtest.h>

namespace zhigai::server {
namespace {

std::vector<SettingSpec> Specs() { return CommonSettings("registry", 7101); }

TEST(Config, FlagsWinOverEnvironmentAndDefaultsFillTheRest) {
  const char* argv[] = {"svc", "--db", "host=a", "--db_pool_size=4", "--internal_proof", "s"};
  auto c = Config::Parse(Specs(), 6, argv, {"ZHIGAI_DB=host=env", "ZHIGAI_LOG_LEVEL=debug"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->Get("db"), "host=a");
  EXPECT_EQ(*c->GetInt("db_pool_size"), 4);
  EXPECT_EQ(c->Get("log_level"), "debug");
  EXPECT_EQ(c->Get("listen"), "0.0.0.0:7101");
  EXPECT_FALSE(c->GetBool("migrate_only"));
}

TEST(Config, SwitchWithoutValue) {
  const char* argv[] = {"svc", "--migrate_only", "--db", "x", "--internal_proof", "s"};
  auto c = Config::Parse(Specs(), 6, argv, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->GetBool("migrate_only"));
}

TEST(Config, UnknownOrMissingSettingsStopWithOneLineReason) {
  const char* unknown[] = {"svc", "--db", "x", "--internal_proof", "s", "--dbpool=3"};
  auto a = Config::Parse(Specs(), 6, unknown, {});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("--dbpool"), std::string::npos);

  const char* missing[] = {"svc", "--db", "x"};
  auto b = Config::Parse(Specs(), 3, missing, {});
  EXPECT_NE(b.status().message().find("internal_proof"), std::string::npos);
  EXPECT_EQ(b.status().message().find('\n'), std::string::npos);

  const char* ok[] = {"svc", "--db", "x", "--internal_proof", "s"};
  auto c = Config::Parse(Specs(), 5, ok, {"ZHIGAI_DB_POOLSIZE=3"});
  EXPECT_NE(c.status().message().find("ZHIGAI_DB_POOLSIZE"), std::string::npos);

  const char* dangling[] = {"svc", "--db"};
  EXPECT_FALSE(Config::Parse(Specs(), 2, dangling, {}).ok());
}

TEST(Config, NonNumericIntIsRefused) {
  const char* argv[] = {"svc", "--db", "x", "--internal_proof", "s", "--db_pool_size", "many"};
  auto c = Config::Parse(Specs(), 7, argv, {});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->GetInt("db_pool_size").ok());
}

}  // namespace
}  // namespace zhigai::server
