// Settings come from --flags and ZHIGAI_* environment variables (flags win). Each service
// declares what it accepts; an unknown flag, an unknown ZHIGAI_* variable or a missing
// required setting stops the start with a one-line reason.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zhigai::server {

struct SettingSpec {
  std::string name;  // flag name: --db_pool_size; environment: ZHIGAI_DB_POOL_SIZE
  std::string help;
  std::optional<std::string> default_value;  // nullopt = required
  bool is_switch = false;                    // --migrate_only without a value means "true"
};

class Config {
 public:
  // `environ` as "KEY=value" strings (main passes the process environment).
  static absl::StatusOr<Config> Parse(const std::vector<SettingSpec>& specs, int argc,
                                      const char* const* argv,
                                      const std::vector<std::string>& environ);
  const std::string& Get(const std::string& name) const;
  absl::StatusOr<int> GetInt(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  static std::string EnvName(const std::string& flag);
  static std::string Usage(const std::vector<SettingSpec>& specs);

 private:
  std::map<std::string, std::string> values_;
};

// The settings every service shares.
std::vector<SettingSpec> CommonSettings(const std::string& service, int default_port);
std::vector<std::string> ProcessEnvironment();

}  // namespace zhigai::server
