#include "libs/core/testing/sanction_rules.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zhigai::core {

const std::vector<SanctionRules>& TestSanctionRules() {
  static const std::vector<SanctionRules>* rules = [] {
    auto loaded = LoadSanctionRules(std::string(ZHIGAI_DATA_DIR) + "/sanction-rules.tsv");
    if (!loaded.ok()) {
      std::fprintf(stderr, "sanction rules: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<SanctionRules>(std::move(*loaded));
  }();
  return *rules;
}

}  // namespace zhigai::core
