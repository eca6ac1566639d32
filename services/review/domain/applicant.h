// What an application declares about the applicant, as the eligibility rules (R5.1-R5.4)
// and the conflict check (R7.1) read it. Credit codes are taken as given: their format
// (R0.1) is validated before these functions are called.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/review/domain/direction.h"

namespace zhigai::review {

// R5.1: the applicant's organisation form.
enum class LegalForm {
  kIndependentLegalPerson,  // 独立法人
  kBranch,                  // 分支机构 (not a legal person)
  kSocialOrganisation,      // 社会组织 that is not a legal person
};

// R5.1 (2026-12): what a consortium member is.
enum class MemberRole {
  kUnstated,            // not said: the checklist fails it
  kEngineeringService,  // 工程服务机构: exactly one per consortium
  kSolutionSupplier,    // 解决方案供应商: at least one
};

struct ConsortiumMember {
  std::string credit_code;
  bool lead = false;
  MemberRole role = MemberRole::kUnstated;
};

// The applying organisation. `consortium` is empty for a single applicant; for a
// consortium (联合体) it lists every member, the lead included.
struct Applicant {
  std::string credit_code;
  LegalForm legal_form = LegalForm::kIndependentLegalPerson;
  std::vector<ConsortiumMember> consortium;
};

// R5.2 track record item, dated when it was completed / held.
enum class TrackRecordKind {
  kProjectCase,    // a consulting project case (counts for CONSULTING when successful)
  kTrainingEvent,  // a training or promotion event (counts for TRAINING)
};

struct TrackRecordItem {
  TrackRecordKind kind = TrackRecordKind::kProjectCase;
  absl::CivilDay date;
  bool successful = true;  // project cases only; unsuccessful cases never count
};

// R5.3 staff member.
enum class TitleLevel { kNone, kJunior, kIntermediate, kSenior };
enum class DegreeLevel { kNone, kAssociate, kBachelor, kMaster, kDoctorate };

struct StaffMember {
  bool resident_in_wenzhou = false;
  TitleLevel title = TitleLevel::kNone;
  bool title_in_related_field = false;
  DegreeLevel degree = DegreeLevel::kNone;
  bool degree_in_related_field = false;
  std::optional<absl::CivilDay> work_started;
};

// R5.4 quality-control aspects.
enum class QualityAspect { kStaff, kServiceProcess, kServiceStandards, kDeliverables };

struct QualityControlEntry {
  QualityAspect aspect = QualityAspect::kStaff;
  std::string document_id;  // the uploaded document describing it; empty = not provided
};

struct ApplicationFacts {
  Applicant applicant;
  std::vector<Direction> directions;  // directions applied for
  std::vector<TrackRecordItem> track_record;
  std::vector<StaffMember> staff;
  std::vector<QualityControlEntry> quality_control;
};

}  // namespace zhigai::review
