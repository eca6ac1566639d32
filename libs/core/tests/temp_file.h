// Test helper: writes text to a fresh file under the test's temporary folder.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace zhigai::core::testing_util {

inline std::string WriteTempFile(absl::string_view name, absl::string_view content) {
  std::string path = absl::StrCat(::testing::TempDir(), "/zhigai_core_", name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return path;
}

}  // namespace zhigai::core::testing_util
