// Test fixtures: a valid 2026 city call and an application that passes every R5 rule.
// Tests change one thing at a time from these.
#pragma once

#include <string>

#include "absl/time/civil_time.h"
#include "services/review/domain/applicant.h"
#include "services/review/domain/call.h"
#include "services/review/domain/testing/rules.h"

namespace zhigai::review::testing {

inline Call ValidCall() {
  Call call;
  call.id = "call-2026";
  call.year = 2026;
  call.scope = CallScope::kCity;
  call.state = CallState::kDraft;
  call.directions = {
      {Direction::kConsulting, std::nullopt, {SelectionMode::kQuota, 3, 0}},
      {Direction::kTraining, std::nullopt, {SelectionMode::kCutOff, 0, 6000}},
  };
  call.opening_date = absl::CivilDay(2026, 6, 1);
  call.closing_date = absl::CivilDay(2026, 6, 30);
  call.notice_period_days = 5;
  call.experts_per_application = 3;
  // Max weighted score: 40*1 + 60*1 = 100 points.
  call.criteria = {{"capability", 100, 4000}, {"cases", 100, 6000}};
  call.tie_policy = TiePolicy::kAllIn;
  call.rules = TestApplicationRulesV1();  // thresholds: the version's defaults
  return call;
}

inline StaffMember SeniorEngineer() {
  StaffMember m;
  m.resident_in_wenzhou = true;
  m.title = TitleLevel::kSenior;
  m.title_in_related_field = true;
  return m;
}

inline ApplicationFacts EligibleFacts() {
  ApplicationFacts f;
  f.applicant.credit_code = "91330302MA2XXXXX01";
  f.applicant.legal_form = LegalForm::kIndependentLegalPerson;
  f.directions = {Direction::kConsulting, Direction::kTraining};
  f.track_record = {
      {TrackRecordKind::kProjectCase, absl::CivilDay(2025, 3, 1), true},
      {TrackRecordKind::kProjectCase, absl::CivilDay(2025, 9, 1), true},
      {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 4, 1), true},
      {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 10, 1), true},
  };
  f.staff = {SeniorEngineer(), SeniorEngineer(), SeniorEngineer()};
  f.quality_control = {{QualityAspect::kStaff, "doc-1"},
                       {QualityAspect::kServiceProcess, "doc-2"},
                       {QualityAspect::kServiceStandards, "doc-3"},
                       {QualityAspect::kDeliverables, "doc-4"}};
  return f;
}

}  // namespace zhigai::review::testing
