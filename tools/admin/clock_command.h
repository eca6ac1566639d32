// zhigai-admin clock: shows and moves the settable business clock of a rehearsal system
// (libs/core/business_clock.h). Never used in production, where services run on the system
// clock and the database has no clock schema.
#pragma once

#include <string>
#include <vector>

namespace zhigai::admin {

// args[0] == "clock"; returns the process exit code.
int ClockCommand(const std::vector<std::string>& args);

}  // namespace zhigai::admin
