// The score-sheet rules of data/score-rules.tsv for tests and benchmarks: the same file the
// service loads, never a copy typed into a test.
#pragma once

#include <vector>

#include "services/evaluation/domain/score_rules.h"

namespace zhigai::evaluation {

// Every version in the file; the process stops with the loader's error if it does not load.
const std::vector<ScoreRules>& TestRules();
// Version 1: the measures as they stand.
const ScoreRules& TestRulesV1();

}  // namespace zhigai::evaluation
