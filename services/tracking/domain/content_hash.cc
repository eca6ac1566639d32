#include "services/tracking/domain/content_hash.h"

#include <openssl/sha.h>

#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/core/dates.h"

namespace zhigai::tracking {
namespace {

void AppendField(std::string& out, absl::string_view name, absl::string_view value) {
  absl::StrAppend(&out, name, "=", value.size(), ":", value, "\n");
}

std::string DayOrEmpty(const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? core::FormatDate(*day) : std::string();
}

std::string Sha256Hex(absl::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace

std::string CanonicalProjectRecord(const ProjectRecord& record) {
  std::string out = "zhigai.tracking.ProjectRecord/1\n";
  AppendField(out, "project_id", record.project_id);
  AppendField(out, "institution_credit_code", record.institution_credit_code);
  AppendField(out, "enterprise_credit_code", record.enterprise_credit_code);
  AppendField(out, "kind", ConsultingKindName(record.kind));
  AppendField(out, "declaration_date", core::FormatDate(record.declaration_date));
  AppendField(out, "city_outcome", ProjectOutcomeName(record.city.outcome));
  AppendField(out, "city_outcome_date", DayOrEmpty(record.city.decided_on));
  AppendField(out, "county_outcome", ProjectOutcomeName(record.county.outcome));
  AppendField(out, "county_outcome_date", DayOrEmpty(record.county.decided_on));
  AppendField(out, "subsidy_fen", absl::StrCat(record.subsidy_fen));
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
  return Sha256Hex(CanonicalProjectRecord(record));
}

std::string ProjectCountsHash(const ProjectCounts& counts) {
  return Sha256Hex(CanonicalProjectCounts(counts));
}

}  // namespace zhigai::tracking
