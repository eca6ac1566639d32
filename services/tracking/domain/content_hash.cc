#include "services/tracking/domain/content_hash.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/core/dates.h"
#include "libs/core/sha256.h"

namespace zhigai::tracking {
namespace {

absl::string_view DayOrEmpty(const std::optional<absl::CivilDay>& day,
                             std::optional<IsoDay>& text) {
  if (!day.has_value()) return absl::string_view();
  text.emplace(*day);
  return text->view();
}

// "name=<length>:value\n" with plain appends: no absl::StrCat pieces or temporaries (this runs
// for every pushed record and showed in the push profile).
void AppendField(std::string& out, absl::string_view name, absl::string_view value) {
  absl::AlphaNum length(value.size());  // formats into its own buffer, no allocation
  out.append(name.data(), name.size());
  out.push_back('=');
  out.append(length.data(), length.size());
  out.push_back(':');
  out.append(value.data(), value.size());
  out.push_back('\n');
}

void AppendProjectRecord(std::string& out, const ProjectRecord& record) {
  out.append("zhigai.tracking.ProjectRecord/1\n");
  AppendField(out, "project_id", record.project_id);
  AppendField(out, "institution_credit_code", record.institution_credit_code);
  AppendField(out, "enterprise_credit_code", record.enterprise_credit_code);
  AppendField(out, "kind", ConsultingKindName(record.kind));
  AppendField(out, "declaration_date", IsoDay(record.declaration_date).view());
  std::optional<IsoDay> city, county;
  AppendField(out, "city_outcome", ProjectOutcomeName(record.city.outcome));
  AppendField(out, "city_outcome_date", DayOrEmpty(record.city.decided_on, city));
  AppendField(out, "county_outcome", ProjectOutcomeName(record.county.outcome));
  AppendField(out, "county_outcome_date", DayOrEmpty(record.county.decided_on, county));
  AppendField(out, "subsidy_fen", absl::AlphaNum(record.subsidy_fen).Piece());
}

}  // namespace

std::string CanonicalProjectRecord(const ProjectRecord& record) {
  std::string out;
  out.reserve(384);
  AppendProjectRecord(out, record);
  return out;
}

std::string CanonicalProjectCounts(const ProjectCounts& counts) {
  std::string out = "zhigai.tracking.ProjectCounts/1\n";
  AppendField(out, "year", absl::StrCat(counts.year));
  AppendField(out, "institution_credit_code", counts.institution_credit_code);
  AppendField(out, "kind", ConsultingKindName(counts.kind));
  AppendField(out, "declared", absl::StrCat(counts.declared));
  AppendField(out, "approved_by_both", absl::StrCat(counts.approved_by_both));
  return out;
}

std::string ProjectRecordHash(const ProjectRecord& record) {
  // One buffer per thread for the canonical text: its capacity stays, so hashing a record
  // allocates only the returned hex string.
  thread_local std::string text;
  text.clear();
  AppendProjectRecord(text, record);
  return core::Sha256Hex(text);
}

std::string ProjectCountsHash(const ProjectCounts& counts) {
  return core::Sha256Hex(CanonicalProjectCounts(counts));
}

}  // namespace zhigai::tracking
