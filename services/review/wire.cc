#include "services/review/wire.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/wire/typed_time.h"

namespace zhigai::review {

std::optional<Direction> DirectionFromProto(int direction) {
  switch (direction) {
    case common::v1::CONSULTING:
      return Direction::kConsulting;
    case common::v1::TRAINING:
      return Direction::kTraining;
    default:
      return std::nullopt;
  }
}

common::v1::Direction DirectionToProto(Direction direction) {
  return direction == Direction::kConsulting ? common::v1::CONSULTING : common::v1::TRAINING;
}

absl::StatusOr<Direction> DirectionFromName(absl::string_view name) {
  if (name == "CONSULTING") return Direction::kConsulting;
  if (name == "TRAINING") return Direction::kTraining;
  return absl::InternalError(absl::StrCat("stored direction '", name, "' is unknown"));
}

CallState CallStateFromProto(v1::CallState state) {
  switch (state) {
    case v1::OPEN:
      return CallState::kOpen;
    case v1::CLOSED:
      return CallState::kClosed;
    case v1::REVIEWING:
      return CallState::kReviewing;
    case v1::NOTICE:
      return CallState::kNotice;
    case v1::FINISHED:
      return CallState::kFinished;
    default:
      return CallState::kDraft;
  }
}

v1::CallState CallStateToProto(CallState state) {
  switch (state) {
    case CallState::kDraft:
      return v1::DRAFT;
    case CallState::kOpen:
      return v1::OPEN;
    case CallState::kClosed:
      return v1::CLOSED;
    case CallState::kReviewing:
      return v1::REVIEWING;
    case CallState::kNotice:
      return v1::NOTICE;
    case CallState::kFinished:
      return v1::FINISHED;
  }
  return v1::CALL_STATE_UNSPECIFIED;
}

absl::StatusOr<Call> CallFromProto(const v1::Call& in, const std::vector<ApplicationRules>& rules) {
  ASSIGN_OR_RETURN(Call call, CallShapeFromProto(in));
  ASSIGN_OR_RETURN(auto version, in.rule_version() > 0
                                     ? ApplicationRulesVersion(rules, in.rule_version())
                                     : ApplicationRulesForYear(rules, in.year()));
  call.rules = *version;
  return call;
}

absl::StatusOr<Call> CallShapeFromProto(const v1::Call& in) {
  Call call;
  call.id = in.name();
  call.year = in.year();
  call.scope = in.scope() == common::v1::COUNTY ? CallScope::kCounty : CallScope::kCity;
  call.division_code = in.division_code();
  call.state = CallStateFromProto(in.state());
  Violations v;
  auto opening = wire::ParseDate(in.opening_date(), "call.opening_date");
  v.Absorb(opening.status());
  auto closing = wire::ParseDate(in.closing_date(), "call.closing_date");
  v.Absorb(closing.status());
  RETURN_IF_ERROR(v.Finish("征集通知日期格式有误"));
  call.opening_date = *opening;
  call.closing_date = *closing;
  call.notice_period_days = in.notice_period_days();
  call.experts_per_application = in.experts_per_application();
  call.tie_policy = in.tie_policy() == v1::ALL_OUT ? TiePolicy::kAllOut : TiePolicy::kAllIn;
  for (const auto& d : in.directions()) {
    DirectionRules rules;
    rules.direction = DirectionFromProto(d.direction()).value_or(Direction::kConsulting);
    if (d.has_track_record_threshold()) rules.track_record_threshold = d.track_record_threshold();
    rules.selection.mode =
        d.selection_mode() == v1::CUT_OFF ? SelectionMode::kCutOff : SelectionMode::kQuota;
    rules.selection.quota = d.quota();
    rules.selection.cut_off_hundredths = d.cut_off_hundredths();
    call.directions.push_back(rules);
  }
  for (const auto& c : in.criteria()) {
    call.criteria.push_back({c.name(), c.weight_hundredths(), c.full_marks_hundredths()});
  }
  return call;
}

Applicant ApplicantFromProto(const v1::Application& app) {
  Applicant a;
  a.credit_code = app.profile().credit_code();
  switch (app.profile().legal_form()) {
    case registry::v1::BRANCH:
      a.legal_form = LegalForm::kBranch;
      break;
    case registry::v1::SOCIAL_ORGANISATION:
      a.legal_form = LegalForm::kSocialOrganisation;
      break;
    default:
      a.legal_form = LegalForm::kIndependentLegalPerson;
  }
  for (const auto& m : app.consortium_members())
    a.consortium.push_back({m.credit_code(), m.lead(),
                            m.role() == v1::ENGINEERING_SERVICE ? MemberRole::kEngineeringService
                            : m.role() == v1::SOLUTION_SUPPLIER ? MemberRole::kSolutionSupplier
                                                                : MemberRole::kUnstated});
  return a;
}

namespace {

TitleLevel TitleFromProto(v1::TitleLevel t) {
  switch (t) {
    case v1::JUNIOR:
      return TitleLevel::kJunior;
    case v1::INTERMEDIATE:
      return TitleLevel::kIntermediate;
    case v1::SENIOR:
      return TitleLevel::kSenior;
    default:
      return TitleLevel::kNone;
  }
}

DegreeLevel DegreeFromProto(v1::DegreeLevel d) {
  switch (d) {
    case v1::ASSOCIATE:
      return DegreeLevel::kAssociate;
    case v1::BACHELOR:
      return DegreeLevel::kBachelor;
    case v1::MASTER:
      return DegreeLevel::kMaster;
    case v1::DOCTORATE:
      return DegreeLevel::kDoctorate;
    default:
      return DegreeLevel::kNone;
  }
}

std::optional<QualityAspect> AspectFromProto(v1::QualityAspect a) {
  switch (a) {
    case v1::QC_STAFF:
      return QualityAspect::kStaff;
    case v1::QC_SERVICE_PROCESS:
      return QualityAspect::kServiceProcess;
    case v1::QC_SERVICE_STANDARDS:
      return QualityAspect::kServiceStandards;
    case v1::QC_DELIVERABLES:
      return QualityAspect::kDeliverables;
    default:
      return std::nullopt;
  }
}

v1::LineResult LineResultToProto(LineResult r) {
  switch (r) {
    case LineResult::kPass:
      return v1::PASS;
    case LineResult::kFail:
      return v1::FAIL;
    case LineResult::kNeedsManualDecision:
      return v1::NEEDS_MANUAL_DECISION;
  }
  return v1::LINE_RESULT_UNSPECIFIED;
}

LineResult LineResultFromProto(v1::LineResult r) {
  switch (r) {
    case v1::PASS:
      return LineResult::kPass;
    case v1::NEEDS_MANUAL_DECISION:
      return LineResult::kNeedsManualDecision;
    default:
      return LineResult::kFail;
  }
}

}  // namespace

std::optional<QualityAspect> AspectOfPurpose(v1::DocumentPurpose purpose) {
  switch (purpose) {
    case v1::QC_STAFF_DOCUMENT:
      return QualityAspect::kStaff;
    case v1::QC_SERVICE_PROCESS_DOCUMENT:
      return QualityAspect::kServiceProcess;
    case v1::QC_SERVICE_STANDARDS_DOCUMENT:
      return QualityAspect::kServiceStandards;
    case v1::QC_DELIVERABLES_DOCUMENT:
      return QualityAspect::kDeliverables;
    default:
      return std::nullopt;
  }
}

ApplicationFacts FactsFromProto(const v1::Application& app,
                                const std::vector<std::pair<QualityAspect, std::string>>& qc_docs) {
  ApplicationFacts facts;
  facts.applicant = ApplicantFromProto(app);
  for (int d : app.directions()) {
    if (auto dir = DirectionFromProto(d)) facts.directions.push_back(*dir);
  }
  for (const auto& t : app.track_record()) {
    TrackRecordItem item;
    item.kind = t.kind() == v1::TRAINING_EVENT ? TrackRecordKind::kTrainingEvent
                                               : TrackRecordKind::kProjectCase;
    auto day = wire::ParseDate(t.date(), "date");
    if (!day.ok()) continue;  // validated on the way in
    item.date = *day;
    item.successful = t.successful();
    facts.track_record.push_back(item);
  }
  for (const auto& s : app.staff()) {
    StaffMember m;
    m.resident_in_wenzhou = s.resident_in_wenzhou();
    m.title = TitleFromProto(s.title());
    m.title_in_related_field = s.title_in_related_field();
    m.degree = DegreeFromProto(s.degree());
    m.degree_in_related_field = s.degree_in_related_field();
    if (auto day = wire::ParseDate(s.work_start_date(), "date"); day.ok()) m.work_started = *day;
    facts.staff.push_back(m);
  }
  // Decision (R5.4): an aspect counts when it is declared and a document with its purpose was
  // uploaded; a declaration without a document, or a document without a declaration, does not.
  for (const auto& q : app.quality_control()) {
    auto aspect = AspectFromProto(q.aspect());
    if (!aspect) continue;
    QualityControlEntry entry;
    entry.aspect = *aspect;
    for (const auto& [doc_aspect, id] : qc_docs) {
      if (doc_aspect == *aspect) {
        entry.document_id = id;
        break;
      }
    }
    facts.quality_control.push_back(entry);
  }
  return facts;
}

v1::Eligibility EligibilityToProto(Eligibility e) {
  switch (e) {
    case Eligibility::kEligible:
      return v1::ELIGIBLE;
    case Eligibility::kIneligible:
      return v1::INELIGIBLE;
    case Eligibility::kPending:
      return v1::PENDING;
  }
  return v1::ELIGIBILITY_UNSPECIFIED;
}

v1::EligibilityChecklist ChecklistToProto(const Checklist& checklist) {
  v1::EligibilityChecklist out;
  for (const ChecklistLine& line : checklist.lines) {
    v1::ChecklistLine* l = out.add_lines();
    l->set_rule_id(line.rule_id);
    if (line.direction) l->set_direction(DirectionToProto(*line.direction));
    l->set_result(LineResultToProto(line.result));
    l->set_reason(line.reason_en);
    l->set_reason_zh(line.reason_zh);
    for (const Figure& f : line.figures) {
      v1::Figure* fig = l->add_figures();
      fig->set_name(f.name);
      fig->set_value(f.value);
    }
    if (line.decision) {
      l->mutable_decision()->set_pass(line.decision->pass);
      l->mutable_decision()->set_reason(line.decision->reason);
    }
    l->set_effective_result(LineResultToProto(EffectiveResult(line)));
  }
  for (const DirectionOutcome& o : DirectionOutcomes(checklist)) {
    v1::DirectionOutcome* p = out.add_outcomes();
    p->set_direction(DirectionToProto(o.direction));
    p->set_eligibility(EligibilityToProto(o.eligibility));
    for (const auto& r : o.failing_rules) p->add_failing_rules(r);
    for (const auto& r : o.pending_rules) p->add_pending_rules(r);
  }
  return out;
}

absl::StatusOr<Checklist> ChecklistFromProto(const v1::EligibilityChecklist& in) {
  Checklist out;
  for (const auto& o : in.outcomes()) {
    auto d = DirectionFromProto(o.direction());
    if (!d) return absl::InternalError("stored checklist names an unknown direction");
    out.directions.push_back(*d);
  }
  for (const auto& l : in.lines()) {
    ChecklistLine line;
    line.rule_id = l.rule_id();
    line.direction = DirectionFromProto(l.direction());
    line.result = LineResultFromProto(l.result());
    line.reason_en = l.reason();
    line.reason_zh = l.reason_zh();
    for (const auto& f : l.figures()) line.figures.push_back({f.name(), f.value()});
    if (l.has_decision()) {
      line.decision =
          BureauDecision{line.rule_id, line.direction, l.decision().pass(), l.decision().reason()};
    }
    out.lines.push_back(std::move(line));
  }
  return out;
}

Expert ExpertFromProto(const v1::Expert& e) {
  Expert out;
  out.id = e.name();
  out.employer_credit_code = e.employer_credit_code();
  out.declared_ties.assign(e.declared_ties().begin(), e.declared_ties().end());
  return out;
}

}  // namespace zhigai::review
