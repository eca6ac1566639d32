#include "libs/core/refdata.h"

#include <array>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/tsv.h"

namespace zhigai::core {
namespace {

// Other official wordings of the same industries, from data/README.md ("industries.tsv":
// 鞋革 or 鞋服 for 鞋业, 汽车零部件 for 汽摩配, 新能源 for 新能源智能网联汽车). Keyed by the
// stable code; a code missing from the file simply gets no synonyms.
struct IndustrySynonyms {
  absl::string_view code;
  std::array<absl::string_view, 2> names;  // empty entries unused
};
constexpr std::array<IndustrySynonyms, 3> kIndustrySynonyms = {{
    {"FOOTWEAR", {"鞋革", "鞋服"}},
    {"AUTO_PARTS", {"汽车零部件", ""}},
    {"NEV_ICV", {"新能源", ""}},
}};

// Generic words people append to an industry name (泵阀产业, 电气行业).
constexpr std::array<absl::string_view, 2> kIndustrySuffixes = {"产业", "行业"};

bool IsCodeChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

bool IsIndustryCode(absl::string_view code) {
  if (code.empty()) return false;
  for (char c : code) {
    if (!IsCodeChar(c)) return false;
  }
  return true;
}

bool IsSixDigits(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "  泵阀产业 " -> "泵阀": whitespace around and one generic suffix removed.
absl::string_view NormalizeIndustryName(absl::string_view name) {
  name = absl::StripAsciiWhitespace(name);
  for (absl::string_view suffix : kIndustrySuffixes) {
    if (name.size() > suffix.size() && absl::ConsumeSuffix(&name, suffix)) break;
  }
  return name;
}

std::optional<IndustryGroup> ParseIndustryGroup(absl::string_view text) {
  if (text == "TRADITIONAL") return IndustryGroup::kTraditional;
  if (text == "EMERGING") return IndustryGroup::kEmerging;
  return std::nullopt;
}

std::optional<DivisionKind> ParseDivisionKind(absl::string_view text) {
  if (text == "CITY") return DivisionKind::kCity;
  if (text == "DISTRICT") return DivisionKind::kDistrict;
  if (text == "COUNTY") return DivisionKind::kCounty;
  if (text == "COUNTY_CITY") return DivisionKind::kCountyCity;
  return std::nullopt;
}

// Data line number of row i (line 1 is the header).
std::size_t LineOf(std::size_t row) { return row + 2; }

}  // namespace

absl::StatusOr<IndustryCatalog> IndustryCatalog::Load(absl::string_view path) {
  absl::StatusOr<TsvRows> rows = ReadTsv(path, {"code", "group", "name_zh", "name_en"});
  if (!rows.ok()) return rows.status();
  IndustryCatalog catalog;
  std::set<std::string> codes;
  std::set<std::string> names;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    std::vector<std::string>& row = (*rows)[i];
    if (!IsIndustryCode(row[0])) {
      return TsvError(path, LineOf(i),
                      absl::StrCat("code \"", row[0], "\" must be upper-case letters, digits, _"));
    }
    std::optional<IndustryGroup> group = ParseIndustryGroup(row[1]);
    if (!group) {
      return TsvError(path, LineOf(i),
                      absl::StrCat("group \"", row[1], "\" must be TRADITIONAL or EMERGING"));
    }
    if (row[2].empty() || row[3].empty()) {
      return TsvError(path, LineOf(i), "name_zh and name_en must not be empty");
    }
    if (!codes.insert(row[0]).second) {
      return TsvError(path, LineOf(i), absl::StrCat("duplicate code \"", row[0], "\""));
    }
    if (!names.insert(row[2]).second) {
      return TsvError(path, LineOf(i), absl::StrCat("duplicate name_zh \"", row[2], "\""));
    }
    Industry industry{std::move(row[0]), *group, std::move(row[2]), std::move(row[3]), {}};
    for (const IndustrySynonyms& entry : kIndustrySynonyms) {
      if (entry.code != industry.code) continue;
      for (absl::string_view synonym : entry.names) {
        if (!synonym.empty()) industry.synonyms_zh.emplace_back(synonym);
      }
    }
    catalog.industries_.push_back(std::move(industry));
  }
  if (catalog.industries_.empty()) return TsvError(path, 2, "no industries listed");
  return catalog;
}

const Industry* IndustryCatalog::FindByCode(absl::string_view code) const {
  for (const Industry& industry : industries_) {
    if (industry.code == code) return &industry;
  }
  return nullptr;
}

const Industry* IndustryCatalog::FindByName(absl::string_view name) const {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(name);
  const absl::string_view normalized = NormalizeIndustryName(name);
  if (normalized.empty()) return nullptr;
  // Official names first, so that a synonym can never shadow another industry's own name.
  for (const Industry& industry : industries_) {
    if (industry.name_zh == trimmed || industry.name_zh == normalized ||
        absl::EqualsIgnoreCase(industry.name_en, trimmed)) {
      return &industry;
    }
  }
  for (const Industry& industry : industries_) {
    for (const std::string& synonym : industry.synonyms_zh) {
      if (synonym == trimmed || synonym == normalized) return &industry;
    }
  }
  return nullptr;
}

absl::Status IndustryCatalog::ValidateCode(absl::string_view code, absl::string_view field) const {
  if (FindByCode(code) != nullptr) return absl::OkStatus();
  return InvalidField(field, "R13.3",
                      "is not one of Wenzhou's \"5+5\" industry codes (data/industries.tsv)",
                      absl::StrCat(field, "：不是温州“5+5”产业代码"));
}

absl::StatusOr<DivisionCatalog> DivisionCatalog::Load(absl::string_view path) {
  absl::StatusOr<TsvRows> rows = ReadTsv(path, {"code", "name_zh", "name_en", "kind"});
  if (!rows.ok()) return rows.status();
  DivisionCatalog catalog;
  std::set<std::string> codes;
  bool has_city = false;
  // The city's code without its trailing "00": every division of the city shares it.
  const absl::string_view city_prefix = kWenzhouCityCode.substr(0, 4);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    std::vector<std::string>& row = (*rows)[i];
    if (!IsSixDigits(row[0])) {
      return TsvError(path, LineOf(i), absl::StrCat("code \"", row[0], "\" must be six digits"));
    }
    std::optional<DivisionKind> kind = ParseDivisionKind(row[3]);
    if (!kind) {
      return TsvError(
          path, LineOf(i),
          absl::StrCat("kind \"", row[3], "\" must be CITY, DISTRICT, COUNTY or COUNTY_CITY"));
    }
    if (row[1].empty() || row[2].empty()) {
      return TsvError(path, LineOf(i), "name_zh and name_en must not be empty");
    }
    if (!codes.insert(row[0]).second) {
      return TsvError(path, LineOf(i), absl::StrCat("duplicate code ", row[0]));
    }
    if (*kind == DivisionKind::kCity) {
      if (row[0] != kWenzhouCityCode) {
        return TsvError(path, LineOf(i),
                        absl::StrCat("the CITY row must be ", kWenzhouCityCode, ", got ", row[0]));
      }
      has_city = true;
    } else if (!absl::StartsWith(row[0], city_prefix) || row[0] == kWenzhouCityCode) {
      return TsvError(
          path, LineOf(i),
          absl::StrCat("division ", row[0], " is not under Wenzhou (", kWenzhouCityCode, ")"));
    }
    catalog.divisions_.push_back(
        Division{std::move(row[0]), std::move(row[1]), std::move(row[2]), *kind});
  }
  if (!has_city) {
    return TsvError(path, LineOf(rows->size()), absl::StrCat("no CITY row for ", kWenzhouCityCode));
  }
  return catalog;
}

const Division* DivisionCatalog::Find(absl::string_view code) const {
  for (const Division& division : divisions_) {
    if (division.code == code) return &division;
  }
  return nullptr;
}

bool DivisionCatalog::IsWenzhouDivision(absl::string_view code) const {
  return Find(code) != nullptr;
}

bool DivisionCatalog::IsCountyLevelDivision(absl::string_view code) const {
  const Division* division = Find(code);
  return division != nullptr && division->kind != DivisionKind::kCity;
}

absl::Status DivisionCatalog::ValidateDivision(absl::string_view code,
                                               absl::string_view field) const {
  if (IsWenzhouDivision(code)) return absl::OkStatus();
  return InvalidField(field, "FORMAT",
                      "is not a Wenzhou division code (330300 or one of its county-level "
                      "divisions, data/divisions.tsv)",
                      absl::StrCat(field, "：不是温州市或其所辖县（市、区）的行政区划代码"));
}

absl::Status DivisionCatalog::ValidateCountyLevelDivision(absl::string_view code,
                                                          absl::string_view field) const {
  if (IsCountyLevelDivision(code)) return absl::OkStatus();
  return InvalidField(field, "FORMAT",
                      "is not a county-level division of Wenzhou (district, county or "
                      "county-level city, data/divisions.tsv)",
                      absl::StrCat(field, "：不是温州所辖县（市、区）的行政区划代码"));
}

absl::StatusOr<Catalogs> LoadCatalogs(absl::string_view data_dir) {
  ASSIGN_OR_RETURN(auto industries,
                   IndustryCatalog::Load(absl::StrCat(data_dir, "/industries.tsv")));
  auto divisions = DivisionCatalog::Load(absl::StrCat(data_dir, "/divisions.tsv"));
  if (!divisions.ok()) return divisions.status();
  return Catalogs{std::move(industries), std::move(*divisions)};
}

}  // namespace zhigai::core
