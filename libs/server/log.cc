#include "libs/server/log.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/core/business_clock.h"
#include "libs/core/json_text.h"

namespace zhigai::log {
namespace {
std::string* g_service = new std::string("zhigai");
Level g_min = Level::kInfo;
std::mutex g_mu;

absl::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void Init(absl::string_view service, Level min_level) {
  *g_service = std::string(service);
  g_min = min_level;
}

bool Enabled(Level level) { return level >= g_min; }

bool ParseLevel(absl::string_view name, Level* level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == name) {
      *level = l;
      return true;
    }
  }
  return false;
}

void Write(Level level, absl::string_view message, Fields fields) {
  if (level < g_min) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"service\":");
  core::AppendJsonString(line, *g_service);
  line += ",\"msg\":";
  core::AppendJsonString(line, message);
  // A settable business clock marks every line with the business time it decided on.
  if (core::ProcessClockIsSettable()) {
    absl::StrAppend(&line, ",\"business_time\":\"",
                    absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+08:00", core::ProcessClock()->Now(),
                                     absl::FixedTimeZone(8 * 3600)),
                    "\"");
  }
  for (const auto& [k, v] : fields) {
    absl::StrAppend(&line, ",\"", k, "\":");
    core::AppendJsonString(line, v);
  }
  line += "}\n";
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace zhigai::log
