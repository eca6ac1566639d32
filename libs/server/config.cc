#include "libs/server/config.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace zhigai::server {

std::string Config::EnvName(const std::string& flag) {
  return absl::StrCat("ZHIGAI_", absl::AsciiStrToUpper(flag));
}

absl::StatusOr<Config> Config::Parse(const std::vector<SettingSpec>& specs, int argc,
                                     const char* const* argv, const std::vector<std::string>& env) {
  std::map<std::string, const SettingSpec*> by_name, by_env;
  for (const auto& s : specs) {
    by_name[s.name] = &s;
    by_env[EnvName(s.name)] = &s;
  }
  Config config;
  for (const auto& kv : env) {
    if (!absl::StartsWith(kv, "ZHIGAI_")) continue;
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    auto it = by_env.find(key);
    if (it == by_env.end()) {
      // Tools may export settings for other programs; only the service prefix is strict.
      if (absl::StartsWith(key, "ZHIGAI_TEST_") || absl::StartsWith(key, "ZHIGAI_TOOL_")) continue;
      return absl::InvalidArgumentError(absl::StrCat("unknown setting in the environment: ", key));
    }
    config.values_[it->second->name] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument: ", arg));
    }
    arg = arg.substr(2);
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag: --", name));
    }
    if (eq != std::string::npos) {
      config.values_[name] = arg.substr(eq + 1);
    } else if (it->second->is_switch) {
      config.values_[name] = "true";
    } else if (i + 1 < argc) {
      config.values_[name] = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
    }
  }
  for (const auto& s : specs) {
    if (config.values_.count(s.name)) continue;
    if (!s.default_value) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing setting --", s.name, " (or ", EnvName(s.name), "): ", s.help));
    }
    config.values_[s.name] = *s.default_value;
  }
  return config;
}

const std::string& Config::Get(const std::string& name) const {
  static const std::string* empty = new std::string;
  auto it = values_.find(name);
  return it == values_.end() ? *empty : it->second;
}

absl::StatusOr<int> Config::GetInt(const std::string& name) const {
  int v;
  if (!absl::SimpleAtoi(Get(name), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("setting --", name, " must be a whole number, got '", Get(name), "'"));
  }
  return v;
}

bool Config::GetBool(const std::string& name) const {
  const std::string& v = Get(name);
  return v == "true" || v == "1" || v == "yes";
}

std::string Config::Usage(const std::vector<SettingSpec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    absl::StrAppend(&out, "  --", s.name, " (", EnvName(s.name), ")",
                    s.default_value ? absl::StrCat(" default '", *s.default_value, "'")
                                    : std::string(" required"),
                    "\n      ", s.help, "\n");
  }
  return out;
}

std::vector<SettingSpec> CommonSettings(const std::string& service, int default_port) {
  return {
      {"listen", "gRPC address", absl::StrCat("0.0.0.0:", default_port)},
      {"metrics_listen", "Prometheus /metrics address (empty = off)",
       absl::StrCat("0.0.0.0:", default_port + 1000)},
      {"db", absl::StrCat("libpq conninfo of the ", service, " role"), std::nullopt},
      {"db_pool_size", "PostgreSQL connections", std::string("8")},
      {"internal_proof", "shared secret the gateway sends with principal metadata", std::nullopt},
      {"data_dir", "folder with the reference data (cn-workdays.tsv, industries.tsv, ...)",
       std::string("data")},
      {"migrate_only", "apply migrations and exit (Kubernetes Job)", std::string("false"), true},
      {"drain_seconds", "how long SIGTERM waits for in-flight calls", std::string("10")},
      {"log_level", "debug, info, warn or error", std::string("info")},
      {"business_clock",
       "'system' (production: business dates from the wall clock) or 'settable' (rehearsals "
       "only: an operator moves the whole system's business time with zhigai-admin clock)",
       std::string("system")},
      // Peers: every service knows where the others are (used by outbox dispatchers and
      // metric pulls); the defaults are the ports of `tools/zhigai up`.
      {"registry_addr", "registry gRPC address", std::string("127.0.0.1:7101")},
      {"review_addr", "review gRPC address", std::string("127.0.0.1:7102")},
      {"tracking_addr", "tracking gRPC address", std::string("127.0.0.1:7103")},
      {"training_addr", "training gRPC address", std::string("127.0.0.1:7104")},
      {"feedback_addr", "feedback gRPC address", std::string("127.0.0.1:7105")},
      {"evaluation_addr", "evaluation gRPC address", std::string("127.0.0.1:7106")},
  };
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace zhigai::server
