// The sanction rules of data/sanction-rules.tsv for tests: the file the services load, never a
// copy typed into a test.
#pragma once

#include <vector>

#include "libs/core/sanction_rules.h"

namespace zhigai::core {

// Every version in the file; the process stops with the loader's error if it does not load.
const std::vector<SanctionRules>& TestSanctionRules();

}  // namespace zhigai::core
