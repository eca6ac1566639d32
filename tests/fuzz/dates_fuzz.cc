// Any text: a date that parses formats back to the same text (strict YYYY-MM-DD).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/core/dates.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto day = zhigai::core::ParseDate(text, "date");
  if (day.ok() && zhigai::core::FormatDate(*day) != text) std::abort();
  return 0;
}
