#include "services/review/validate.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/text.h"
#include "libs/wire/typed_time.h"
#include "services/review/domain/call.h"
#include "services/review/wire.h"

namespace zhigai::review {
namespace {

std::string F(absl::string_view prefix, absl::string_view field) {
  return absl::StrCat(prefix, ".", field);
}

void CheckConsortium(const v1::Application& app, Violations& v) {
  if (app.consortium_members().empty()) return;
  // The consortium's own shape (two members, one lead, distinct codes) is judged by the R5.1
  // checklist line; here only the format of each member and the lead's identity.
  bool lead_is_applicant = false;
  for (int i = 0; i < app.consortium_members_size(); ++i) {
    const auto& m = app.consortium_members(i);
    const std::string path = absl::StrCat("application.consortium_members[", i, "]");
    v.Absorb(core::ValidateCreditCode(m.credit_code(), F(path, "credit_code")));
    v.Absorb(core::ValidateLine(m.display_name(), F(path, "display_name"), 1, 100, "FORMAT"));
    if (m.role() == v1::MEMBER_ROLE_UNSPECIFIED || !v1::MemberRole_IsValid(m.role())) {
      v.Add(F(path, "role"), "R5.1", "role must be ENGINEERING_SERVICE or SOLUTION_SUPPLIER");
    }
    if (m.lead() && m.credit_code() == app.profile().credit_code()) lead_is_applicant = true;
  }
  if (!lead_is_applicant) {
    v.Add("application.consortium_members", "R5.1",
          "the lead member is the applicant: its credit code is the profile's credit code");
  }
}

void CheckContent(const v1::Application& app, Violations& v) {
  std::set<int> dirs;
  if (app.directions().empty())
    v.Add("application.directions", "R3.1", "apply for at least one direction");
  for (int i = 0; i < app.directions_size(); ++i) {
    const std::string path = absl::StrCat("application.directions[", i, "]");
    if (!DirectionFromProto(app.directions(i))) {
      v.Add(path, "R3.1", "direction must be CONSULTING or TRAINING");
    } else if (!dirs.insert(app.directions(i)).second) {
      v.Add(path, "R3.1", "a direction is named twice");
    }
  }
  const auto& letter = app.letter();
  v.Absorb(core::ValidateText(letter.history(), "application.letter.history", 0, 5000, "R6.1"));
  v.Absorb(core::ValidateText(letter.team(), "application.letter.team", 0, 5000, "R6.1"));
  if (letter.typical_cases_size() > 20) {
    v.Add("application.letter.typical_cases", "R6.1", "at most 20 typical cases");
  }
  for (int i = 0; i < letter.typical_cases_size(); ++i) {
    const auto& c = letter.typical_cases(i);
    const std::string path = absl::StrCat("application.letter.typical_cases[", i, "]");
    if (!DirectionFromProto(c.direction()))
      v.Add(F(path, "direction"), "R6.1", "direction required");
    v.Absorb(core::ValidateLine(c.title(), F(path, "title"), 1, 200, "R6.1"));
    v.Absorb(core::ValidateLine(c.client(), F(path, "client"), 0, 200, "R6.1"));
    v.Absorb(core::ValidateText(c.results(), F(path, "results"), 0, 2000, "R6.1"));
  }
  if (app.staff_size() > 1000) v.Add("application.staff", "R5.3", "at most 1000 staff records");
  for (int i = 0; i < app.staff_size(); ++i) {
    const auto& s = app.staff(i);
    const std::string path = absl::StrCat("application.staff[", i, "]");
    v.Absorb(core::ValidateLine(s.name(), F(path, "name"), 1, 50, "FORMAT"));
    if (s.title() == v1::TITLE_LEVEL_UNSPECIFIED || !v1::TitleLevel_IsValid(s.title())) {
      v.Add(F(path, "title"), "R5.3", "title level required (NO_TITLE when none)");
    }
    if (s.degree() == v1::DEGREE_LEVEL_UNSPECIFIED || !v1::DegreeLevel_IsValid(s.degree())) {
      v.Add(F(path, "degree"), "R5.3", "degree level required (NO_DEGREE when none)");
    }
    if (s.has_work_start_date()) {
      v.Absorb(wire::ParseDate(s.work_start_date(), F(path, "work_start_date")).status());
    }
  }
  if (app.track_record_size() > 1000)
    v.Add("application.track_record", "R5.2", "at most 1000 items");
  for (int i = 0; i < app.track_record_size(); ++i) {
    const auto& t = app.track_record(i);
    const std::string path = absl::StrCat("application.track_record[", i, "]");
    if (t.kind() == v1::TRACK_RECORD_KIND_UNSPECIFIED || !v1::TrackRecordKind_IsValid(t.kind())) {
      v.Add(F(path, "kind"), "R5.2", "kind must be PROJECT_CASE or TRAINING_EVENT");
    }
    v.Absorb(core::ValidateLine(t.title(), F(path, "title"), 1, 200, "FORMAT"));
    v.Absorb(wire::ParseDate(t.date(), F(path, "date")).status());
  }
  std::set<int> aspects;
  for (int i = 0; i < app.quality_control_size(); ++i) {
    const auto& q = app.quality_control(i);
    const std::string path = absl::StrCat("application.quality_control[", i, "]");
    if (q.aspect() == v1::QUALITY_ASPECT_UNSPECIFIED || !v1::QualityAspect_IsValid(q.aspect())) {
      v.Add(F(path, "aspect"), "R5.4", "aspect must be one of the four QC aspects");
    } else if (!aspects.insert(q.aspect()).second) {
      v.Add(F(path, "aspect"), "R5.4", "an aspect is declared twice");
    }
    v.Absorb(core::ValidateText(q.description(), F(path, "description"), 0, 2000, "R5.4"));
  }
}

}  // namespace

absl::Status ValidateCallDefinition(const v1::Call& call, const ReferenceData& ref) {
  Violations v;
  v.Absorb(core::ValidateLine(call.display_name(), "call.display_name", 1, 200, "FORMAT"));
  if (call.scope() != common::v1::CITY && call.scope() != common::v1::COUNTY) {
    v.Add("call.scope", "R4.2", "scope must be CITY or COUNTY");
  }
  if (call.scope() == common::v1::COUNTY && !call.division_code().empty()) {
    v.Absorb(ref.divisions.ValidateCountyLevelDivision(call.division_code(), "call.division_code"));
  }
  if (call.tie_policy() == v1::TIE_POLICY_UNSPECIFIED ||
      !v1::TiePolicy_IsValid(call.tie_policy())) {
    v.Add("call.tie_policy", "R7.1", "tie policy must be ALL_IN or ALL_OUT");
  }
  for (int i = 0; i < call.directions_size(); ++i) {
    const auto& d = call.directions(i);
    const std::string path = absl::StrCat("call.directions[", i, "]");
    if (!DirectionFromProto(d.direction())) {
      v.Add(F(path, "direction"), "R3.1", "direction must be CONSULTING or TRAINING");
    }
    if (d.selection_mode() == v1::SELECTION_MODE_UNSPECIFIED ||
        !v1::SelectionMode_IsValid(d.selection_mode())) {
      v.Add(F(path, "selection_mode"), "R7.1", "selection mode must be QUOTA or CUT_OFF");
    }
  }
  // The rules' version is looked up after this, once the definition (its year included) holds.
  auto domain = CallShapeFromProto(call);
  if (!domain.ok()) {
    v.Absorb(domain.status());
  } else {
    v.Absorb(ValidateCall(*domain));
  }
  return v.Finish("征集通知设置有误");
}

absl::Status ValidateApplicationContent(const v1::Application& app, const ReferenceData& ref) {
  Violations v;
  // Attachment 1 is the registry's Institution: the registry's own rules judge it, so a
  // profile accepted here is never refused by CreateInstitution on admission.
  v.Absorb(institution::ValidateInstitution(app.profile(), ref, "application.profile"));
  CheckConsortium(app, v);
  CheckContent(app, v);
  return v.Finish("申报材料填写有误");
}

}  // namespace zhigai::review
