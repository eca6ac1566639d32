#pragma once

// Rule parameters kept as data, in versions with effective dates (issue 26): a TSV file
// "version parameter value source", versions numbered 1, 2, … with their lines together,
// each giving every parameter once and an `effective_from` date later than the version
// before. Each service reads the parameters it knows into its own typed struct and checks
// their values; this reader checks the shape, naming file and line.

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::core {

struct RuleValue {
  std::string value;
  std::size_t line = 0;  // in the file, the header being line 1
};

struct RuleVersion {
  int version = 0;
  absl::CivilDay effective_from;
  std::size_t first_line = 0;
  std::map<std::string, RuleValue, std::less<>> values;  // every name asked for
};

// `names`: the parameters every version must give, besides `effective_from`; anything else is
// refused. FAILED_PRECONDITION REFERENCE_DATA_INVALID "<source>:<line>: <problem>".
absl::StatusOr<std::vector<RuleVersion>> ParseRuleVersions(absl::string_view content,
                                                           absl::string_view source,
                                                           const std::set<std::string>& names);

// The file's text; NOT_FOUND when it cannot be read.
absl::StatusOr<std::string> ReadRuleFile(absl::string_view path);

// The index of the version in force on `day` (the last whose effective_from ≤ day), or -1.
int VersionInForce(const std::vector<RuleVersion>& versions, absl::CivilDay day);

}  // namespace zhigai::core
