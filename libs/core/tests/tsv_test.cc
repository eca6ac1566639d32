#include "libs/core/tsv.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/tests/temp_file.h"

namespace zhigai::core {
namespace {

using testing_util::WriteTempFile;

const std::vector<std::string> kHeader = {"code", "name", "note"};

// Expects a REFERENCE_DATA_INVALID error whose message starts with "<where>: " and mentions
// `problem`.
void ExpectInvalid(absl::string_view content, absl::string_view where, absl::string_view problem) {
  absl::StatusOr<TsvRows> rows = ParseTsv(content, "x.tsv", kHeader);
  ASSERT_FALSE(rows.ok()) << testing::PrintToString(std::string(content));
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(rows.status()), "REFERENCE_DATA_INVALID");
  EXPECT_TRUE(absl::StartsWith(rows.status().message(), absl::StrCat(where, ": ")))
      << rows.status().message();
  EXPECT_TRUE(absl::StrContains(rows.status().message(), problem)) << rows.status().message();
  EXPECT_TRUE(absl::StrContains(ChineseOf(rows.status()), where));
}

TEST(ParseTsv, ReturnsDataRowsWithEmptyFieldsKept) {
  absl::StatusOr<TsvRows> rows =
      ParseTsv("code\tname\tnote\nA\t甲\t\n\tB\t note \n", "x.tsv", kHeader);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"A", "甲", ""}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"", "B", " note "}));  // no trimming
}

TEST(ParseTsv, FinalNewlineIsOptional) {
  absl::StatusOr<TsvRows> rows = ParseTsv("code\tname\tnote\nA\tB\tC", "x.tsv", kHeader);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
  absl::StatusOr<TsvRows> header_only = ParseTsv("code\tname\tnote\n", "x.tsv", kHeader);
  ASSERT_TRUE(header_only.ok());
  EXPECT_TRUE(header_only->empty());
}

TEST(ParseTsv, RefusesBadHeaderAndColumnCounts) {
  ExpectInvalid("", "x.tsv:1", "empty");
  ExpectInvalid("code\tname\n", "x.tsv:1", "expected \"code\\tname\\tnote\"");
  ExpectInvalid("code\tname\tNote\n", "x.tsv:1", "header");
  ExpectInvalid("code\tname\tnote\textra\n", "x.tsv:1", "header");
  ExpectInvalid("code\tname\tnote\nA\tB\tC\nA\tB\n", "x.tsv:3", "has 2 columns, expected 3");
  ExpectInvalid("code\tname\tnote\nA\tB\tC\tD\n", "x.tsv:2", "has 4 columns");
}

TEST(ParseTsv, RefusesEmptyLinesCrBomAndBadUtf8) {
  ExpectInvalid("code\tname\tnote\n\nA\tB\tC\n", "x.tsv:2", "empty line");
  ExpectInvalid("code\tname\tnote\nA\tB\tC\n\n", "x.tsv:3", "empty line");
  ExpectInvalid("\n", "x.tsv:1", "empty line");
  ExpectInvalid("code\tname\tnote\r\nA\tB\tC\r\n", "x.tsv:1", "carriage return");
  ExpectInvalid("code\tname\tnote\nA\tB\tC\r\n", "x.tsv:2", "carriage return");
  ExpectInvalid(
      "\xEF\xBB\xBF"
      "code\tname\tnote\n",
      "x.tsv:1", "byte-order mark");
  ExpectInvalid("code\tname\tnote\nA\t\xE6\x99\tC\n", "x.tsv:2", "UTF-8");
}

TEST(ReadTsv, ReadsAFileAndNamesItInErrors) {
  std::string good = WriteTempFile("good.tsv", "code\tname\tnote\nA\tB\tC\n");
  absl::StatusOr<TsvRows> rows = ReadTsv(good, kHeader);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 1u);

  std::string bad = WriteTempFile("bad.tsv", "code\tname\tnote\nA\tB\n");
  absl::StatusOr<TsvRows> refused = ReadTsv(bad, kHeader);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), bad + ":2: "))
      << refused.status().message();
}

TEST(ReadTsv, MissingFileIsNotFound) {
  absl::StatusOr<TsvRows> rows = ReadTsv("/nonexistent/zhigai/none.tsv", kHeader);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(rows.status()), "REFERENCE_DATA_MISSING");
  EXPECT_TRUE(absl::StrContains(rows.status().message(), "/nonexistent/zhigai/none.tsv"));
}

TEST(ReadTsv, ReadsEveryShippedDataFile) {
  struct File {
    const char* name;
    std::vector<std::string> header;
  };
  for (const File& f : {File{"cn-workdays.tsv", {"date", "kind", "name"}},
                        File{"cn-workdays-examples.tsv", {"event_date", "last_filing_day", "note"}},
                        File{"credit-codes.tsv", {"code", "valid", "why"}},
                        File{"divisions.tsv", {"code", "name_zh", "name_en", "kind"}},
                        File{"industries.tsv", {"code", "group", "name_zh", "name_en"}}}) {
    absl::StatusOr<TsvRows> rows = ReadTsv(absl::StrCat(ZHIGAI_DATA_DIR, "/", f.name), f.header);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_FALSE(rows->empty()) << f.name;
  }
}

}  // namespace
}  // namespace zhigai::core
