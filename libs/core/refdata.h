// Reference data loaded at start-up from the service's data folder (data/README.md):
// the "5+5" industries of RULES.md R13.3 and Wenzhou's divisions (GB/T 2260).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zhigai::core {

enum class IndustryGroup { kTraditional, kEmerging };

struct Industry {
  std::string code;  // stable key, e.g. "PUMP_VALVE"
  IndustryGroup group;
  std::string name_zh;
  std::string name_en;
  std::vector<std::string> synonyms_zh;  // other official wordings (data/README.md)
};

// Wenzhou's "5+5" industries from data/industries.tsv (code, group, name_zh, name_en).
class IndustryCatalog {
 public:
  // Loads and checks the file: header, column count, code of [A-Z0-9_], group TRADITIONAL or
  // EMERGING, non-empty names, no duplicate code or name. Errors name the file and line.
  static absl::StatusOr<IndustryCatalog> Load(absl::string_view path);

  const std::vector<Industry>& all() const { return industries_; }
  const Industry* FindByCode(absl::string_view code) const;

  // Matches a name as people write it: the Chinese name or a synonym (鞋革 for 鞋业, ...),
  // optionally followed by 产业 or 行业 (泵阀产业), or the English name ignoring ASCII case;
  // surrounding whitespace is ignored. nullptr when nothing matches.
  const Industry* FindByName(absl::string_view name) const;

  // R13.3: `code` is one of the loaded industry codes; InvalidField(field, "R13.3", ...).
  absl::Status ValidateCode(absl::string_view code, absl::string_view field) const;

 private:
  std::vector<Industry> industries_;
};

enum class DivisionKind { kCity, kDistrict, kCounty, kCountyCity };

struct Division {
  std::string code;  // six digits, GB/T 2260
  std::string name_zh;
  std::string name_en;
  DivisionKind kind;
};

inline constexpr absl::string_view kWenzhouCityCode = "330300";

// Wenzhou city and its county-level divisions from data/divisions.tsv
// (code, name_zh, name_en, kind).
class DivisionCatalog {
 public:
  // Loads and checks the file: header, column count, six-digit unique codes, a known kind,
  // non-empty names, exactly one CITY row and it is 330300, every other row under it (3303xx).
  static absl::StatusOr<DivisionCatalog> Load(absl::string_view path);

  const std::vector<Division>& all() const { return divisions_; }
  const Division* Find(absl::string_view code) const;

  // True for a code in the file: the city 330300 itself or one of its county-level divisions.
  bool IsWenzhouDivision(absl::string_view code) const;
  // True for a county-level division of Wenzhou (district, county or county-level city), the
  // scope of a COUNTY_BUREAU; false for the city itself.
  bool IsCountyLevelDivision(absl::string_view code) const;

  // InvalidField(field, "FORMAT", ...) unless IsWenzhouDivision / IsCountyLevelDivision.
  absl::Status ValidateDivision(absl::string_view code, absl::string_view field) const;
  absl::Status ValidateCountyLevelDivision(absl::string_view code, absl::string_view field) const;

 private:
  std::vector<Division> divisions_;
};

// The two catalogs every service checks requests against, from <data_dir>/industries.tsv and
// <data_dir>/divisions.tsv.
struct Catalogs {
  IndustryCatalog industries;
  DivisionCatalog divisions;
};
absl::StatusOr<Catalogs> LoadCatalogs(absl::string_view data_dir);

}  // namespace zhigai::core
