#pragma once

// Rule parameters kept as data, in versions with effective dates (issue 26): a TSV file
// "version parameter value source", versions numbered 1, 2, … with their lines together,
// each giving every parameter once and an `effective_from` date later than the version
// before. Each service reads the parameters it knows into its own typed struct and checks
// their values; this reader checks the shape, naming file and line.

#include <cstddef>
#include <cstdint>
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

// `name`'s value in `version` as a whole number within [low, high]; otherwise
// FAILED_PRECONDITION REFERENCE_DATA_INVALID "<source>:<line>: <name>: "<value>" must be a whole
// number from <low> to <high>".
absl::StatusOr<int64_t> RuleNumber(const RuleVersion& version, const std::string& name, int64_t low,
                                   int64_t high, absl::string_view source);

// Over a service's parsed versions (in order, each with `version` and `effective_from`): the one
// in force on `day`, the last whose effective_from ≤ day (nullptr before the first), and the
// one numbered `number` (nullptr when the file lacks it). The services turn nullptr into their
// own error, which names their rule.
template <typename Rules>
const Rules* InForceOn(const std::vector<Rules>& versions, absl::CivilDay day) {
  const Rules* found = nullptr;
  for (const Rules& r : versions) {
    if (r.effective_from <= day) found = &r;
  }
  return found;
}
template <typename Rules>
const Rules* Numbered(const std::vector<Rules>& versions, int number) {
  for (const Rules& r : versions) {
    if (r.version == number) return &r;
  }
  return nullptr;
}

}  // namespace zhigai::core
