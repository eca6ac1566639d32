// Any input: the validator never crashes, and its verdict agrees with the check character.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/core/credit_code.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string code(reinterpret_cast<const char*>(data), size);
  bool valid = zhigai::core::ValidateCreditCode(code, "code").ok();
  if (valid) {
    // R0.1: a valid code is 18 characters whose 18th is the computed check character.
    if (code.size() != 18) std::abort();
    auto check = zhigai::core::CreditCodeCheckChar(code.substr(0, 17));
    if (!check || *check != code[17]) std::abort();
  }
  if (code.size() >= 17) (void)zhigai::core::CreditCodeCheckChar(code.substr(0, 17));
  return 0;
}
