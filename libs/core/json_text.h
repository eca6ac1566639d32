#pragma once

// One JSON string writer for the project's hand-built JSON: the structured log lines and the
// evaluation's published exports (whose bytes are hashed, so they must never change).
// Why not nlohmann::json here: its dump() throws on invalid UTF-8 (a log line must never
// throw, and an export must fail in validation, not while writing), and building a json value
// per log line allocates twice. nlohmann stays where whole documents are parsed.

#include <string>

#include "absl/strings/string_view.h"

namespace zhigai::core {

// Appends `s` as an RFC 8259 string, quotes included: quote, backslash and control characters
// escaped (\n \r \t by name, the rest as \u00xx); every other byte, UTF-8 Chinese included,
// copied as it is.
void AppendJsonString(std::string& out, absl::string_view s);

}  // namespace zhigai::core
