#include "services/tracking/domain/project_record.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"

namespace zhigai::tracking {
namespace {

constexpr std::size_t kMaxProjectIdChars = 128;

constexpr std::array<std::pair<ProjectOutcome, absl::string_view>, 3> kOutcomeNames = {{
    {ProjectOutcome::kPending, "PENDING"},
    {ProjectOutcome::kApproved, "APPROVED"},
    {ProjectOutcome::kRejected, "REJECTED"},
}};

// Checks one bureau's outcome and date. `declared` is unset when the declaration date itself
// was bad, in which case the order of the two dates cannot be judged.
std::optional<BureauOutcome> CheckOutcome(absl::string_view outcome_field,
                                          absl::string_view outcome_text,
                                          absl::string_view date_field, absl::string_view date_text,
                                          const std::optional<absl::CivilDay>& declared,
                                          Violations& violations) {
  std::optional<ProjectOutcome> outcome = ParseProjectOutcome(outcome_text);
  if (!outcome.has_value()) {
    violations.Add(outcome_field, "S1.1",
                   absl::StrCat(outcome_field, " must be PENDING, APPROVED or REJECTED, not '",
                                outcome_text, "'"));
    return std::nullopt;
  }
  BureauOutcome result{*outcome, std::nullopt};
  if (*outcome == ProjectOutcome::kPending) {
    if (!date_text.empty()) {
      violations.Add(
          date_field, "S1.1",
          absl::StrCat(date_field, " must be empty while ", outcome_field, " is PENDING"));
      return std::nullopt;
    }
    return result;
  }
  if (date_text.empty()) {
    violations.Add(
        date_field, "S1.1",
        absl::StrCat(date_field, " is required once ", outcome_field, " is ", outcome_text));
    return std::nullopt;
  }
  absl::StatusOr<absl::CivilDay> decided = core::ParseBusinessDate(date_text, date_field);
  if (!decided.ok()) {
    violations.Absorb(decided.status());
    return std::nullopt;
  }
  if (declared.has_value() && *decided < *declared) {
    violations.Add(date_field, "S1.1",
                   absl::StrCat(date_field, " ", date_text, " is before declaration_date ",
                                core::FormatDate(*declared)));
    return std::nullopt;
  }
  result.decided_on = *decided;
  return result;
}

}  // namespace

absl::string_view ProjectOutcomeName(ProjectOutcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "UNKNOWN";
}

std::optional<ProjectOutcome> ParseProjectOutcome(absl::string_view name) {
  for (const auto& [value, known] : kOutcomeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

IsoDay::IsoDay(absl::CivilDay day) {
  char fixed[10];
  if (core::FormatDateInto(day, fixed)) {
    std::copy_n(fixed, sizeof fixed, text);
    size = sizeof fixed;
    return;
  }
  std::string t = core::FormatDate(day);  // outside what the validators accept
  size = std::min(t.size(), sizeof text);
  std::copy_n(t.data(), size, text);
}

// By value: the handler's input is a temporary whose strings move into the record.
absl::StatusOr<ProjectRecord> ValidateProjectRecord(ProjectRecordInput input) {
  Violations violations;
  violations.Absorb(
      core::ValidateLine(input.project_id, "project_id", 1, kMaxProjectIdChars, "S1.1"));
  if (input.revision < 1) {
    violations.Add("revision", "S1.1",
                   absl::StrCat("revision must be 1 or more, not ", input.revision));
  }
  violations.Absorb(
      core::ValidateCreditCode(input.institution_credit_code, "institution_credit_code"));
  violations.Absorb(
      core::ValidateCreditCode(input.enterprise_credit_code, "enterprise_credit_code"));
  std::optional<ConsultingKind> kind = ParseConsultingKind(input.kind);
  if (!kind.has_value()) {
    violations.Add(
        "kind", "S1.1",
        absl::StrCat("kind must be DIAGNOSIS or SOLUTION_DESIGN, not '", input.kind, "'"));
  }
  std::optional<absl::CivilDay> declared;
  absl::StatusOr<absl::CivilDay> parsed =
      core::ParseBusinessDate(input.declaration_date, "declaration_date");
  if (parsed.ok()) {
    declared = *parsed;
  } else {
    violations.Absorb(parsed.status());
  }
  std::optional<BureauOutcome> city =
      CheckOutcome("city_outcome", input.city_outcome, "city_outcome_date", input.city_outcome_date,
                   declared, violations);
  std::optional<BureauOutcome> county =
      CheckOutcome("county_outcome", input.county_outcome, "county_outcome_date",
                   input.county_outcome_date, declared, violations);
  if (input.subsidy_fen < 0 || input.subsidy_fen > kMaxProjectSubsidyFen) {
    violations.Add("subsidy_fen", "S1.1",
                   absl::StrCat("subsidy_fen must be between 0 and ", kMaxProjectSubsidyFen,
                                " (10,000,000 yuan), not ", input.subsidy_fen));
  }
  if (!violations.empty()) return violations.Finish("政策平台推送的项目记录有误");

  ProjectRecord record;
  record.project_id = std::move(input.project_id);
  record.revision = input.revision;
  record.institution_credit_code = std::move(input.institution_credit_code);
  record.enterprise_credit_code = std::move(input.enterprise_credit_code);
  record.kind = *kind;
  record.declaration_date = *declared;
  record.city = *city;
  record.county = *county;
  record.subsidy_fen = input.subsidy_fen;
  return record;
}

bool ApprovedByBoth(const ProjectRecord& record) {
  // S1.1: "经市、区两级经信部门评审合格" — both bureaus, not either.
  return record.city.outcome == ProjectOutcome::kApproved &&
         record.county.outcome == ProjectOutcome::kApproved;
}

}  // namespace zhigai::tracking
