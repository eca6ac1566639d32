#include "services/tracking/import/project_csv.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/wire/typed_time.h"
#include "services/tracking/domain/checksum.h"
#include "services/tracking/domain/project_record.h"

namespace zhigai::tracking::csv {
namespace {

bool ParseOutcome(const std::string& text, v1::ProjectOutcome* out) {
  if (text == "PENDING")
    *out = v1::OUTCOME_PENDING;
  else if (text == "APPROVED")
    *out = v1::OUTCOME_APPROVED;
  else if (text == "REJECTED")
    *out = v1::OUTCOME_REJECTED;
  else
    return false;
  return true;
}

}  // namespace

absl::StatusOr<ParsedFile> ReadProjects(const std::vector<Row>& rows) {
  if (rows.empty()) return absl::InvalidArgumentError("the file is empty: no header line");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) {
    column[std::string(absl::StripAsciiWhitespace(rows[0].fields[i]))] = i;
  }
  for (absl::string_view name : kProjectRecordFields) {
    if (!column.count(std::string(name))) {
      return absl::InvalidArgumentError(absl::StrCat("header: column ", name, " is missing"));
    }
  }
  ParsedFile out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    auto get = [&](const char* name) -> std::string {
      size_t i = column[name];
      return i < row.fields.size() ? row.fields[i] : std::string();
    };
    v1::ProjectRecord p;
    std::vector<std::string> problems;
    p.set_project_id(get("project_id"));
    int64_t revision = 0, subsidy = 0;
    if (!absl::SimpleAtoi(get("revision"), &revision))
      problems.push_back("revision is not an integer");
    p.set_revision(revision);
    p.set_institution_credit_code(get("institution_credit_code"));
    p.set_enterprise_credit_code(get("enterprise_credit_code"));
    common::v1::ServiceKind kind = common::v1::SERVICE_KIND_UNSPECIFIED;
    if (!common::v1::ServiceKind_Parse(get("kind"), &kind)) {
      problems.push_back(absl::StrCat("kind '", get("kind"), "' is unknown"));
    }
    p.set_kind(kind);
    // A date left out stays unset (the validator names it when it is required).
    auto date = [&](const char* name) -> std::optional<google::type::Date> {
      const std::string text = get(name);
      if (text.empty()) return std::nullopt;
      std::optional<google::type::Date> day = wire::DateFromShapedText(text);
      if (!day)
        problems.push_back(absl::StrCat(name, " '", text, "' is not a date written YYYY-MM-DD"));
      return day;
    };
    if (auto day = date("declaration_date")) *p.mutable_declaration_date() = *day;
    v1::ProjectOutcome city = v1::PROJECT_OUTCOME_UNSPECIFIED, county = city;
    if (!ParseOutcome(get("city_outcome"), &city)) {
      problems.push_back(absl::StrCat("city_outcome '", get("city_outcome"), "' is unknown"));
    }
    if (!ParseOutcome(get("county_outcome"), &county)) {
      problems.push_back(absl::StrCat("county_outcome '", get("county_outcome"), "' is unknown"));
    }
    p.set_city_outcome(city);
    if (auto day = date("city_outcome_date")) *p.mutable_city_outcome_date() = *day;
    p.set_county_outcome(county);
    if (auto day = date("county_outcome_date")) *p.mutable_county_outcome_date() = *day;
    std::string amount = get("subsidy_fen");
    if (!amount.empty() && !absl::SimpleAtoi(amount, &subsidy)) {
      problems.push_back("subsidy_fen is not an integer");
    }
    p.set_subsidy_fen(subsidy);
    if (!problems.empty()) {
      std::string why = problems[0];
      for (size_t i = 1; i < problems.size(); ++i) absl::StrAppend(&why, "; ", problems[i]);
      out.unreadable.emplace_back(row.line, why);
      continue;
    }
    out.records.push_back(std::move(p));
    out.lines.push_back(row.line);
  }
  return out;
}

std::map<int, YearClaim> ClaimsByYear(const std::vector<v1::ProjectRecord>& records) {
  // Newest revision per project, then grouped by the declaration year (its first 4 digits).
  std::map<std::string, const v1::ProjectRecord*> newest;
  for (const auto& r : records) {
    auto [it, inserted] = newest.emplace(r.project_id(), &r);
    if (!inserted && it->second->revision() < r.revision()) it->second = &r;
  }
  std::map<int, std::vector<std::pair<std::string, int64_t>>> lines;
  for (const auto& [id, r] : newest) {
    if (!r->has_declaration_date()) continue;
    lines[r->declaration_date().year()].emplace_back(id, r->revision());
  }
  std::map<int, YearClaim> out;
  for (auto& [year, l] : lines) {
    YearClaim c;
    c.count = static_cast<int>(l.size());
    c.checksum = RecordsChecksum(std::move(l));
    out[year] = std::move(c);
  }
  return out;
}

}  // namespace zhigai::tracking::csv
