#include "services/tracking/domain/checksum.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace zhigai::tracking {

std::string ChecksumLine(absl::string_view project_id, int64_t revision) {
  return absl::StrCat(project_id, ":", revision, "\n");
}

std::string RecordsChecksum(std::vector<std::pair<std::string, int64_t>> records) {
  std::vector<std::string> lines;
  lines.reserve(records.size());
  for (const auto& [id, revision] : records) lines.push_back(ChecksumLine(id, revision));
  // std::string compares through char_traits<char>, which orders bytes as unsigned char: the
  // same order as PostgreSQL's "C" collation.
  std::sort(lines.begin(), lines.end());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& line : lines) EVP_DigestUpdate(ctx, line.data(), line.size());
  EVP_DigestFinal_ex(ctx, digest.data(), &size);
  EVP_MD_CTX_free(ctx);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

}  // namespace zhigai::tracking
