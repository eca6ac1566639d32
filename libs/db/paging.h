#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace zhigai::db {

// AIP-158 paging. page_size 0 means the default; above the maximum or negative is refused
// (a caller asking for a million rows gets a clear error, not a silent cut).
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

absl::StatusOr<int> PageSize(int requested, const char* field = "page_size");

// Opaque tokens carry the last key seen (keyset paging: stable under concurrent inserts).
std::string EncodePageToken(const std::string& last_key);
absl::StatusOr<std::string> DecodePageToken(const std::string& token,
                                            const char* field = "page_token");

}  // namespace zhigai::db
