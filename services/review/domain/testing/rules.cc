#include "services/review/domain/testing/rules.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zhigai::review {

const std::vector<ApplicationRules>& TestApplicationRules() {
  static const std::vector<ApplicationRules>* rules = [] {
    auto loaded = LoadApplicationRules(std::string(ZHIGAI_DATA_DIR) + "/application-rules.tsv");
    if (!loaded.ok()) {
      std::fprintf(stderr, "application rules: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<ApplicationRules>(std::move(*loaded));
  }();
  return *rules;
}

const ApplicationRules& TestApplicationRulesV1() { return TestApplicationRules().front(); }

}  // namespace zhigai::review
