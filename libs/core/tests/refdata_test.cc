#include "libs/core/refdata.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "libs/core/tests/temp_file.h"

namespace zhigai::core {
namespace {

using testing_util::WriteTempFile;

constexpr absl::string_view kIndustryHeader = "code\tgroup\tname_zh\tname_en\n";
constexpr absl::string_view kDivisionHeader = "code\tname_zh\tname_en\tkind\n";

IndustryCatalog LoadIndustries() {
  absl::StatusOr<IndustryCatalog> catalog =
      IndustryCatalog::Load(ZHIGAI_DATA_DIR "/industries.tsv");
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *std::move(catalog) : IndustryCatalog();
}

DivisionCatalog LoadDivisions() {
  absl::StatusOr<DivisionCatalog> catalog = DivisionCatalog::Load(ZHIGAI_DATA_DIR "/divisions.tsv");
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *std::move(catalog) : DivisionCatalog();
}

// Expects Load of a file holding `content` to fail with a message "<path>:<line>: ...problem".
template <typename Catalog>
void ExpectLoadFails(absl::string_view name, absl::string_view content, int line,
                     absl::string_view problem) {
  std::string path = WriteTempFile(name, content);
  absl::StatusOr<Catalog> catalog = Catalog::Load(path);
  ASSERT_FALSE(catalog.ok()) << name;
  EXPECT_EQ(ReasonOf(catalog.status()), "REFERENCE_DATA_INVALID");
  EXPECT_TRUE(absl::StartsWith(catalog.status().message(), absl::StrCat(path, ":", line, ": ")))
      << catalog.status().message();
  EXPECT_TRUE(absl::StrContains(catalog.status().message(), problem)) << catalog.status().message();
}

TEST(Industries, LoadsTheFivePlusFive) {
  IndustryCatalog catalog = LoadIndustries();
  ASSERT_EQ(catalog.all().size(), 10u);
  int traditional = 0;
  for (const Industry& industry : catalog.all()) {
    if (industry.group == IndustryGroup::kTraditional) ++traditional;
  }
  EXPECT_EQ(traditional, 5);
  const Industry* pumps = catalog.FindByCode("PUMP_VALVE");
  ASSERT_NE(pumps, nullptr);
  EXPECT_EQ(pumps->name_zh, "泵阀");
  EXPECT_EQ(pumps->name_en, "Pumps and valves");
  EXPECT_EQ(catalog.FindByCode("pump_valve"), nullptr);
  EXPECT_EQ(catalog.FindByCode(""), nullptr);
}

TEST(Industries, FindByNameAcceptsOfficialNamesSynonymsAndSuffixes) {
  IndustryCatalog catalog = LoadIndustries();
  auto code_of = [&](absl::string_view name) -> std::string {
    const Industry* industry = catalog.FindByName(name);
    return industry ? industry->code : "";
  };
  EXPECT_EQ(code_of("泵阀"), "PUMP_VALVE");
  EXPECT_EQ(code_of("泵阀产业"), "PUMP_VALVE");
  EXPECT_EQ(code_of(" 电气行业 "), "ELECTRICAL");
  EXPECT_EQ(code_of("鞋业"), "FOOTWEAR");
  EXPECT_EQ(code_of("鞋革"), "FOOTWEAR");
  EXPECT_EQ(code_of("鞋服"), "FOOTWEAR");
  EXPECT_EQ(code_of("汽摩配"), "AUTO_PARTS");
  EXPECT_EQ(code_of("汽车零部件产业"), "AUTO_PARTS");
  EXPECT_EQ(code_of("新能源智能网联汽车"), "NEV_ICV");
  EXPECT_EQ(code_of("新能源"), "NEV_ICV");
  EXPECT_EQ(code_of("新材料"), "NEW_MATERIALS");
  EXPECT_EQ(code_of("new materials"), "NEW_MATERIALS");
  EXPECT_EQ(code_of("Apparel"), "APPAREL");

  EXPECT_EQ(code_of("产业"), "");  // a bare suffix is not a name
  EXPECT_EQ(code_of(""), "");
  EXPECT_EQ(code_of("钢铁"), "");
  EXPECT_EQ(code_of("泵"), "");
  EXPECT_EQ(code_of("PUMP_VALVE"), "");  // codes go through FindByCode
}

TEST(Industries, ValidateCodeCitesR133) {
  IndustryCatalog catalog = LoadIndustries();
  EXPECT_TRUE(catalog.ValidateCode("FOOTWEAR", "event.industry_codes[0]").ok());
  absl::Status s = catalog.ValidateCode("STEEL", "event.industry_codes[1]");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RuleOf(s), "R13.3");
  EXPECT_EQ(ViolationsOf(s)[0].field, "event.industry_codes[1]");
  EXPECT_TRUE(absl::StrContains(ChineseOf(s), "5+5"));
}

TEST(Industries, LoadRefusesBrokenFiles) {
  const std::string good_row = "ELECTRICAL\tTRADITIONAL\t电气\tElectrical equipment\n";
  ExpectLoadFails<IndustryCatalog>("ind_header.tsv", "code\tgroup\tname\tname_en\n", 1, "header");
  ExpectLoadFails<IndustryCatalog>(
      "ind_columns.tsv", absl::StrCat(kIndustryHeader, good_row, "PUMP\tTRADITIONAL\t泵阀\n"), 3,
      "3 columns");
  ExpectLoadFails<IndustryCatalog>(
      "ind_group.tsv", absl::StrCat(kIndustryHeader, "PUMP\tOLD\t泵阀\tPumps\n"), 2, "group");
  ExpectLoadFails<IndustryCatalog>(
      "ind_code.tsv", absl::StrCat(kIndustryHeader, "pump\tTRADITIONAL\t泵阀\tPumps\n"), 2, "code");
  ExpectLoadFails<IndustryCatalog>("ind_dup.tsv", absl::StrCat(kIndustryHeader, good_row, good_row),
                                   3, "duplicate code");
  ExpectLoadFails<IndustryCatalog>(
      "ind_dupname.tsv",
      absl::StrCat(kIndustryHeader, good_row, "ELECTRIC2\tEMERGING\t电气\tOther\n"), 3,
      "duplicate name_zh");
  ExpectLoadFails<IndustryCatalog>("ind_noname.tsv",
                                   absl::StrCat(kIndustryHeader, "PUMP\tTRADITIONAL\t\tPumps\n"), 2,
                                   "must not be empty");
  ExpectLoadFails<IndustryCatalog>("ind_empty.tsv", kIndustryHeader, 2, "no industries");
}

TEST(Divisions, LoadsWenzhouAndItsTwelveDivisions) {
  DivisionCatalog catalog = LoadDivisions();
  ASSERT_EQ(catalog.all().size(), 13u);
  const Division* city = catalog.Find("330300");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->kind, DivisionKind::kCity);
  EXPECT_EQ(city->name_zh, "温州市");
  const Division* longgang = catalog.Find("330383");
  ASSERT_NE(longgang, nullptr);
  EXPECT_EQ(longgang->kind, DivisionKind::kCountyCity);
  EXPECT_EQ(longgang->name_en, "Longgang");
  EXPECT_EQ(catalog.Find("330301"), nullptr);
}

TEST(Divisions, IsWenzhouDivisionCoversCityAndCountyLevel) {
  DivisionCatalog catalog = LoadDivisions();
  for (absl::string_view code : {"330302", "330303", "330304", "330305", "330324", "330326",
                                 "330327", "330328", "330329", "330381", "330382", "330383"}) {
    EXPECT_TRUE(catalog.IsWenzhouDivision(code)) << code;
    EXPECT_TRUE(catalog.IsCountyLevelDivision(code)) << code;
    EXPECT_TRUE(catalog.ValidateCountyLevelDivision(code, "bureau.division").ok()) << code;
  }
  EXPECT_TRUE(catalog.IsWenzhouDivision("330300"));
  EXPECT_FALSE(catalog.IsCountyLevelDivision("330300"));
  for (absl::string_view code :
       {"330301", "330325", "330384", "330000", "330100", "330102", "", "3303", "33030200"}) {
    EXPECT_FALSE(catalog.IsWenzhouDivision(code)) << code;
    EXPECT_FALSE(catalog.IsCountyLevelDivision(code)) << code;
  }
}

TEST(Divisions, ValidateNamesFieldAndScope) {
  DivisionCatalog catalog = LoadDivisions();
  EXPECT_TRUE(catalog.ValidateDivision("330300", "enterprise.division").ok());
  absl::Status outside = catalog.ValidateDivision("330102", "enterprise.division");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(ViolationsOf(outside)[0].field, "enterprise.division");
  absl::Status city = catalog.ValidateCountyLevelDivision("330300", "bureau.division");
  ASSERT_FALSE(city.ok());
  EXPECT_EQ(city.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(city.message(), "county-level"));
}

TEST(Divisions, LoadRefusesBrokenFiles) {
  const std::string city = "330300\t温州市\tWenzhou\tCITY\n";
  ExpectLoadFails<DivisionCatalog>("div_header.tsv", "code\tname\tname_en\tkind\n", 1, "header");
  ExpectLoadFails<DivisionCatalog>(
      "div_short.tsv", absl::StrCat(kDivisionHeader, city, "33030\t鹿城区\tLucheng\tDISTRICT\n"), 3,
      "six digits");
  ExpectLoadFails<DivisionCatalog>(
      "div_kind.tsv", absl::StrCat(kDivisionHeader, city, "330302\t鹿城区\tLucheng\tTOWN\n"), 3,
      "kind");
  ExpectLoadFails<DivisionCatalog>(
      "div_outside.tsv",
      absl::StrCat(kDivisionHeader, city, "330102\t上城区\tShangcheng\tDISTRICT\n"), 3,
      "not under Wenzhou");
  ExpectLoadFails<DivisionCatalog>(
      "div_othercity.tsv", absl::StrCat(kDivisionHeader, "330100\t杭州市\tHangzhou\tCITY\n"), 2,
      "CITY row must be 330300");
  ExpectLoadFails<DivisionCatalog>(
      "div_citykind.tsv", absl::StrCat(kDivisionHeader, "330300\t温州市\tWenzhou\tDISTRICT\n"), 2,
      "not under Wenzhou");
  ExpectLoadFails<DivisionCatalog>("div_dup.tsv", absl::StrCat(kDivisionHeader, city, city), 3,
                                   "duplicate code");
  ExpectLoadFails<DivisionCatalog>(
      "div_nocity.tsv", absl::StrCat(kDivisionHeader, "330302\t鹿城区\tLucheng\tDISTRICT\n"), 3,
      "no CITY row");
}

TEST(Divisions, MissingFileIsNotFound) {
  absl::StatusOr<DivisionCatalog> catalog = DivisionCatalog::Load("/nonexistent/divisions.tsv");
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace zhigai::core
