// The application rules of data/application-rules.tsv for tests: the file the service loads,
// never a copy typed into a test.
#pragma once

#include <vector>

#include "services/review/domain/application_rules.h"

namespace zhigai::review {

// Every version in the file; the process stops with the loader's error if it does not load.
const std::vector<ApplicationRules>& TestApplicationRules();
// Version 1: the measures as they stand.
const ApplicationRules& TestApplicationRulesV1();

}  // namespace zhigai::review
