#include "services/evaluation/domain/testing/rules.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zhigai::evaluation {

const std::vector<ScoreRules>& TestRules() {
  static const std::vector<ScoreRules>* rules = [] {
    auto loaded = LoadScoreRules(std::string(ZHIGAI_DATA_DIR) + "/score-rules.tsv");
    if (!loaded.ok()) {
      std::fprintf(stderr, "score rules: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<ScoreRules>(std::move(*loaded));
  }();
  return *rules;
}

const ScoreRules& TestRulesV1() { return TestRules().front(); }

}  // namespace zhigai::evaluation
