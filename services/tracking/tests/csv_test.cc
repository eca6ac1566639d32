#include "services/tracking/import/csv.h"

#include <gtest/gtest.h>

#include "libs/wire/testing/literals.h"
#include "services/tracking/import/project_csv.h"

namespace zhigai::tracking::csv {
namespace {

TEST(CsvTest, QuotesCommasLineBreaksBomAndCrlf) {
  auto rows = Parse(
      "\xEF\xBB\xBF"
      "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"x,1", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[2].fields, (std::vector<std::string>{"last", "", ""}));
  EXPECT_EQ((*rows)[2].line, 5);
}

TEST(CsvTest, NoFinalNewlineAndBrokenQuotes) {
  auto rows = Parse("a,b\n1,2");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->back().fields, (std::vector<std::string>{"1", "2"}));
  EXPECT_FALSE(Parse("a,\"open\n").ok());
  auto bad = Parse("a\n\"x\"y\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
}

constexpr char kHeader[] =
    "subsidy_fen,project_id,revision,institution_credit_code,enterprise_credit_code,kind,"
    "declaration_date,city_outcome,city_outcome_date,county_outcome,county_outcome_date,note\n";

TEST(ProjectCsvTest, ColumnsByNameAndUnreadableLinesNamed) {
  std::string text = std::string(kHeader) +
                     "5000,P-1,2,91330302123456788P,91330303MA2H3K4L4J,DIAGNOSIS,2025-03-01,"
                     "APPROVED,2025-05-01,APPROVED,2025-04-01,备注\n"
                     ",P-2,x,91330302123456788P,91330303MA2H3K4L4J,TRAINING,2025-03-01,"
                     "MAYBE,,PENDING,,\n";
  auto rows = Parse(text);
  ASSERT_TRUE(rows.ok());
  auto file = ReadProjects(*rows);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->records.size(), 1u);
  const auto& r = file->records[0];
  EXPECT_EQ(r.project_id(), "P-1");
  EXPECT_EQ(r.revision(), 2);
  EXPECT_EQ(r.subsidy_fen(), 5000);
  EXPECT_EQ(r.kind(), common::v1::DIAGNOSIS);
  EXPECT_EQ(r.city_outcome(), v1::OUTCOME_APPROVED);
  EXPECT_EQ(file->lines[0], 2);
  ASSERT_EQ(file->unreadable.size(), 1u);
  EXPECT_EQ(file->unreadable[0].first, 3);
  EXPECT_NE(file->unreadable[0].second.find("revision"), std::string::npos);
  EXPECT_NE(file->unreadable[0].second.find("city_outcome"), std::string::npos);
}

TEST(ProjectCsvTest, MissingColumnIsRefused) {
  auto rows = Parse("project_id,revision\nP-1,1\n");
  ASSERT_TRUE(rows.ok());
  auto file = ReadProjects(*rows);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("institution_credit_code"), std::string::npos);
}

TEST(ProjectCsvTest, ClaimsCountNewestRevisionPerProjectByYear) {
  std::vector<v1::ProjectRecord> records(3);
  records[0].set_project_id("A");
  records[0].set_revision(1);
  *records[0].mutable_declaration_date() = wire::testing::D("2025-01-02");
  records[1] = records[0];
  records[1].set_revision(2);
  records[2].set_project_id("B");
  records[2].set_revision(1);
  *records[2].mutable_declaration_date() = wire::testing::D("2026-01-02");
  auto claims = ClaimsByYear(records);
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[2025].count, 1);
  EXPECT_EQ(claims[2026].count, 1);
  EXPECT_EQ(claims[2025].checksum.size(), 64u);
}

}  // namespace
}  // namespace zhigai::tracking::csv
