// Structured JSON logs on stderr, one object a line, with the request id when there is one.
// Personal data (names, phones, e-mails) is never passed here.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace zhigai::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void Init(absl::string_view service, Level min_level);
bool Enabled(Level level);
bool ParseLevel(absl::string_view name, Level* level);

using Fields = std::initializer_list<std::pair<absl::string_view, std::string>>;
void Write(Level level, absl::string_view message, Fields fields = {});
inline void Info(absl::string_view m, Fields f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(absl::string_view m, Fields f = {}) { Write(Level::kWarn, m, f); }
inline void Error(absl::string_view m, Fields f = {}) { Write(Level::kError, m, f); }

std::string JsonEscape(absl::string_view s);

}  // namespace zhigai::log
