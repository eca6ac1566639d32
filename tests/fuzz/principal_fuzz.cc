// Any principal header: decoding never crashes, and what decodes re-encodes to an equal one.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/auth/principal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string header(reinterpret_cast<const char*>(data), size);
  auto p = zhigai::auth::DecodePrincipal(header);
  if (!p.ok()) return 0;
  auto again = zhigai::auth::DecodePrincipal(zhigai::auth::EncodePrincipal(*p));
  if (!again.ok() || again->role != p->role || again->subject != p->subject ||
      again->credit_code != p->credit_code || again->division_code != p->division_code) {
    std::abort();
  }
  return 0;
}
