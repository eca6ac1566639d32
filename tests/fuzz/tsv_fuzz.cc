// Any content: the strict TSV reader never crashes and every row it returns has the header's
// column count.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/core/tsv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string content(reinterpret_cast<const char*>(data), size);
  auto rows = zhigai::core::ParseTsv(content, "fuzz", {"date", "kind", "name"});
  if (rows.ok()) {
    for (const auto& row : *rows) {
      if (row.size() != 3) std::abort();
    }
  }
  return 0;
}
