#include "services/training/domain/testing/rules.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zhigai::training {

const std::vector<TrainingRules>& TestTrainingRules() {
  static const std::vector<TrainingRules>* rules = [] {
    auto loaded = LoadTrainingRules(std::string(ZHIGAI_DATA_DIR) + "/training-rules.tsv");
    if (!loaded.ok()) {
      std::fprintf(stderr, "training rules: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<TrainingRules>(std::move(*loaded));
  }();
  return *rules;
}

const TrainingRules& TestTrainingRulesV1() { return TestTrainingRules().front(); }

}  // namespace zhigai::training
