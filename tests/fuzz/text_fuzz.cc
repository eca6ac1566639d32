// Any bytes: UTF-8 validation, character counting and the text validators agree.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/core/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  bool valid = zhigai::core::IsValidUtf8(text);
  auto count = zhigai::core::CountChars(text);
  if (valid != count.has_value()) std::abort();
  if (count && *count > size) std::abort();
  auto status = zhigai::core::ValidateText(text, "f", 0, 1000000, "FORMAT");
  if (!valid && status.ok()) std::abort();  // invalid UTF-8 is never accepted
  (void)zhigai::core::ValidateLine(text, "f", 1, 10, "FORMAT");
  return 0;
}
