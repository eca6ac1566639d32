#include "libs/core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace zhigai::core {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShotWhateverTheSplit) {
  const std::string text(1000000, 'a');  // FIPS 180-2: one million 'a'
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(Sha256Hex(text), expected);
  for (size_t chunk : {1u, 7u, 4096u, 999999u}) {
    Sha256 h;
    for (size_t at = 0; at < text.size(); at += chunk) h.Update(text.substr(at, chunk));
    EXPECT_EQ(h.HexDigest(), expected) << chunk;
  }
}

}  // namespace
}  // namespace zhigai::core
