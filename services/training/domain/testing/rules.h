// The training rules of data/training-rules.tsv for tests and benchmarks: the file the service
// loads, never a copy typed into a test.
#pragma once

#include <vector>

#include "services/training/domain/training_rules.h"

namespace zhigai::training {

// Every version in the file; the process stops with the loader's error if it does not load.
const std::vector<TrainingRules>& TestTrainingRules();
// Version 1: the measures as they stand.
const TrainingRules& TestTrainingRulesV1();

}  // namespace zhigai::training
