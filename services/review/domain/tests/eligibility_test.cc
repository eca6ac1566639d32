#include "services/review/domain/eligibility.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libs/core/errors.h"
#include "services/review/domain/tests/fixtures.h"

namespace zhigai::review {
namespace {

using testing::EligibleFacts;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::SeniorEngineer;
using testing::ValidCall;

Checklist Compute(const Call& call, const ApplicationFacts& facts) {
  absl::StatusOr<Checklist> checklist = ComputeChecklist(call, facts);
  EXPECT_TRUE(checklist.ok()) << checklist.status();
  return checklist.ok() ? *checklist : Checklist{};
}

const ChecklistLine& FindLine(const Checklist& c, absl::string_view rule,
                              std::optional<Direction> direction = std::nullopt) {
  for (const ChecklistLine& line : c.lines) {
    if (line.rule_id == rule && line.direction == direction) return line;
  }
  static const ChecklistLine kMissing = [] {
    ChecklistLine line;
    line.rule_id = "MISSING";
    return line;
  }();
  ADD_FAILURE() << "no line " << rule;
  return kMissing;
}

int64_t FigureOf(const ChecklistLine& line, absl::string_view name) {
  for (const Figure& f : line.figures) {
    if (f.name == name) return f.value;
  }
  ADD_FAILURE() << "no figure " << name << " on " << line.rule_id;
  return -1;
}

Eligibility OutcomeFor(const Checklist& c, Direction d) {
  for (const DirectionOutcome& o : DirectionOutcomes(c)) {
    if (o.direction == d) return o.eligibility;
  }
  ADD_FAILURE() << "no outcome for " << DirectionName(d);
  return Eligibility::kPending;
}

TEST(Eligibility, FixturePassesEveryLineInOrder) {
  Checklist c = Compute(ValidCall(), EligibleFacts());
  ASSERT_EQ(c.lines.size(), 5u);
  EXPECT_EQ(c.lines[0].rule_id, "R5.1");
  EXPECT_EQ(c.lines[1].rule_id, "R5.2");
  EXPECT_EQ(c.lines[1].direction, Direction::kConsulting);
  EXPECT_EQ(c.lines[2].rule_id, "R5.2");
  EXPECT_EQ(c.lines[2].direction, Direction::kTraining);
  EXPECT_EQ(c.lines[3].rule_id, "R5.3");
  EXPECT_EQ(c.lines[4].rule_id, "R5.4");
  for (const ChecklistLine& line : c.lines) {
    EXPECT_EQ(line.result, LineResult::kPass) << line.rule_id << ": " << line.reason_en;
    EXPECT_FALSE(line.reason_en.empty());
    EXPECT_FALSE(line.reason_zh.empty());
  }
  EXPECT_EQ(OutcomeFor(c, Direction::kConsulting), Eligibility::kEligible);
  EXPECT_EQ(OutcomeFor(c, Direction::kTraining), Eligibility::kEligible);
}

// ---- R5.1 organisation ----

TEST(EligibilityR51, BranchAndSocialOrganisationNeedManualDecisionNeverFail) {
  for (LegalForm form : {LegalForm::kBranch, LegalForm::kSocialOrganisation}) {
    ApplicationFacts f = EligibleFacts();
    f.applicant.legal_form = form;
    Checklist c = Compute(ValidCall(), f);
    EXPECT_EQ(FindLine(c, "R5.1").result, LineResult::kNeedsManualDecision);
    EXPECT_EQ(OutcomeFor(c, Direction::kConsulting), Eligibility::kPending);
    EXPECT_EQ(OutcomeFor(c, Direction::kTraining), Eligibility::kPending);
  }
}

ApplicationFacts Consortium(std::vector<ConsortiumMember> members) {
  ApplicationFacts f = EligibleFacts();
  f.applicant.consortium = std::move(members);
  return f;
}

constexpr MemberRole kEng = MemberRole::kEngineeringService;
constexpr MemberRole kSup = MemberRole::kSolutionSupplier;

TEST(EligibilityR51, WellFormedConsortiumPasses) {
  Checklist c =
      Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", false, kSup}, {"C", false, kSup}}));
  const ChecklistLine& line = FindLine(c, "R5.1");
  EXPECT_EQ(line.result, LineResult::kPass);
  EXPECT_EQ(FigureOf(line, "consortium_members"), 3);
  EXPECT_EQ(FigureOf(line, "lead_members"), 1);
  EXPECT_EQ(FigureOf(line, "engineering_service_members"), 1);
  EXPECT_EQ(FigureOf(line, "solution_supplier_members"), 2);
}

TEST(EligibilityR51, ConsortiumNeedsExactlyOneLead) {
  Checklist none = Compute(ValidCall(), Consortium({{"A", false, kEng}, {"B", false, kSup}}));
  EXPECT_EQ(FindLine(none, "R5.1").result, LineResult::kFail);
  EXPECT_EQ(FigureOf(FindLine(none, "R5.1"), "lead_members"), 0);
  Checklist two = Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", true, kSup}}));
  EXPECT_EQ(FindLine(two, "R5.1").result, LineResult::kFail);
  EXPECT_THAT(FindLine(two, "R5.1").reason_en, HasSubstr("exactly one lead"));
  EXPECT_EQ(OutcomeFor(two, Direction::kConsulting), Eligibility::kIneligible);
}

TEST(EligibilityR51, ConsortiumMembersHaveDistinctCodes) {
  Checklist c =
      Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", false, kSup}, {"B", false, kSup}}));
  EXPECT_EQ(FindLine(c, "R5.1").result, LineResult::kFail);
  EXPECT_EQ(FigureOf(FindLine(c, "R5.1"), "duplicate_credit_codes"), 1);
}

TEST(EligibilityR51, ConsortiumOfOneIsNotAConsortium) {
  Checklist c = Compute(ValidCall(), Consortium({{"A", true, kEng}}));
  EXPECT_EQ(FindLine(c, "R5.1").result, LineResult::kFail);
}

// R5.1 (2026-12): exactly one engineering service institution and at least one solution
// supplier; the refusal names what is missing.
TEST(EligibilityR51, ConsortiumIsOneEngineeringServiceAndAtLeastOneSupplier) {
  Checklist two_eng = Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", false, kEng}}));
  EXPECT_EQ(FindLine(two_eng, "R5.1").result, LineResult::kFail);
  EXPECT_THAT(FindLine(two_eng, "R5.1").reason_en,
              HasSubstr("exactly one engineering service institution required, found 2"));
  EXPECT_THAT(FindLine(two_eng, "R5.1").reason_en,
              HasSubstr("at least one solution supplier required, found 0"));
  Checklist no_eng = Compute(ValidCall(), Consortium({{"A", true, kSup}, {"B", false, kSup}}));
  EXPECT_THAT(FindLine(no_eng, "R5.1").reason_en,
              HasSubstr("exactly one engineering service institution required, found 0"));
  Checklist unstated =
      Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", false, MemberRole::kUnstated}}));
  EXPECT_THAT(FindLine(unstated, "R5.1").reason_en, HasSubstr("1 member(s) state no role"));
  EXPECT_EQ(OutcomeFor(unstated, Direction::kTraining), Eligibility::kIneligible);
  // The boundary that passes: one of each.
  Checklist minimal = Compute(ValidCall(), Consortium({{"A", true, kEng}, {"B", false, kSup}}));
  EXPECT_EQ(FindLine(minimal, "R5.1").result, LineResult::kPass);
}

TEST(EligibilityR51, MalformedConsortiumFailsEvenForABranch) {
  ApplicationFacts f = Consortium({{"A", true, kEng}, {"B", true, kSup}});
  f.applicant.legal_form = LegalForm::kBranch;
  EXPECT_EQ(FindLine(Compute(ValidCall(), f), "R5.1").result, LineResult::kFail);
  f = Consortium({{"A", true, kEng}, {"B", false, kSup}});
  f.applicant.legal_form = LegalForm::kBranch;
  EXPECT_EQ(FindLine(Compute(ValidCall(), f), "R5.1").result, LineResult::kNeedsManualDecision);
}

// ---- R5.2 track record ----

ApplicationFacts WithTrackRecord(std::vector<TrackRecordItem> items) {
  ApplicationFacts f = EligibleFacts();
  f.track_record = std::move(items);
  return f;
}

TEST(EligibilityR52, OnlyTheYearBeforeTheCallYearCounts) {
  // Call year 2026: 2025-01-01 and 2025-12-31 count; 2026-01-01 and 2024-12-31 do not.
  Checklist c =
      Compute(ValidCall(),
              WithTrackRecord({{TrackRecordKind::kProjectCase, absl::CivilDay(2025, 1, 1)},
                               {TrackRecordKind::kProjectCase, absl::CivilDay(2025, 12, 31)},
                               {TrackRecordKind::kProjectCase, absl::CivilDay(2026, 1, 1)},
                               {TrackRecordKind::kProjectCase, absl::CivilDay(2024, 12, 31)},
                               {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 5, 1)},
                               {TrackRecordKind::kTrainingEvent, absl::CivilDay(2026, 1, 1)}}));
  const ChecklistLine& consulting = FindLine(c, "R5.2", Direction::kConsulting);
  EXPECT_EQ(consulting.result, LineResult::kPass);
  EXPECT_EQ(FigureOf(consulting, "counted"), 2);
  EXPECT_EQ(FigureOf(consulting, "outside_year"), 2);
  EXPECT_EQ(FigureOf(consulting, "year"), 2025);
  EXPECT_EQ(FigureOf(consulting, "threshold"), 2);

  const ChecklistLine& training = FindLine(c, "R5.2", Direction::kTraining);
  EXPECT_EQ(training.result, LineResult::kFail);
  EXPECT_EQ(FigureOf(training, "counted"), 1);
  EXPECT_THAT(training.reason_en, HasSubstr("TRAINING"));
}

TEST(EligibilityR52, DirectionsAreJudgedSeparately) {
  Checklist c =
      Compute(ValidCall(),
              WithTrackRecord({{TrackRecordKind::kProjectCase, absl::CivilDay(2025, 2, 1)},
                               {TrackRecordKind::kProjectCase, absl::CivilDay(2025, 3, 1)},
                               {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 4, 1)}}));
  EXPECT_EQ(OutcomeFor(c, Direction::kConsulting), Eligibility::kEligible);
  EXPECT_EQ(OutcomeFor(c, Direction::kTraining), Eligibility::kIneligible);
}

TEST(EligibilityR52, CasesCountOnlyWhenSuccessfulAndOnlyForConsulting) {
  Checklist c =
      Compute(ValidCall(),
              WithTrackRecord({{TrackRecordKind::kProjectCase, absl::CivilDay(2025, 2, 1), true},
                               {TrackRecordKind::kProjectCase, absl::CivilDay(2025, 3, 1), false},
                               {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 4, 1)},
                               {TrackRecordKind::kTrainingEvent, absl::CivilDay(2025, 5, 1)}}));
  EXPECT_EQ(FigureOf(FindLine(c, "R5.2", Direction::kConsulting), "counted"), 1);
  EXPECT_EQ(FindLine(c, "R5.2", Direction::kConsulting).result, LineResult::kFail);
  EXPECT_EQ(FigureOf(FindLine(c, "R5.2", Direction::kTraining), "counted"), 2);
}

TEST(EligibilityR52, ThresholdBelongsToTheCall) {
  Call call = ValidCall();
  call.directions[0].track_record_threshold = 3;  // CONSULTING
  Checklist c = Compute(call, EligibleFacts());   // two cases
  EXPECT_EQ(FindLine(c, "R5.2", Direction::kConsulting).result, LineResult::kFail);
  EXPECT_EQ(FigureOf(FindLine(c, "R5.2", Direction::kConsulting), "threshold"), 3);

  call.directions[0].track_record_threshold = 0;
  EXPECT_EQ(FindLine(Compute(call, WithTrackRecord({})), "R5.2", Direction::kConsulting).result,
            LineResult::kPass);
}

TEST(EligibilityR52, OnlyDirectionsAppliedForGetALine) {
  ApplicationFacts f = EligibleFacts();
  f.directions = {Direction::kTraining};
  Checklist c = Compute(ValidCall(), f);
  ASSERT_EQ(c.lines.size(), 4u);
  EXPECT_EQ(c.lines[1].direction, Direction::kTraining);
  ASSERT_EQ(DirectionOutcomes(c).size(), 1u);
  EXPECT_EQ(DirectionOutcomes(c)[0].direction, Direction::kTraining);
}

// ---- R5.3 staff ----

TEST(EligibilityR53, ThreeResidentQualifiedProfessionalsNeeded) {
  ApplicationFacts f = EligibleFacts();
  StaffMember away = SeniorEngineer();
  away.resident_in_wenzhou = false;
  f.staff = {SeniorEngineer(), SeniorEngineer(), away};
  Checklist c = Compute(ValidCall(), f);
  const ChecklistLine& line = FindLine(c, "R5.3");
  EXPECT_EQ(line.result, LineResult::kFail);
  EXPECT_EQ(FigureOf(line, "qualified_resident_staff"), 2);
  EXPECT_EQ(FigureOf(line, "qualified_non_resident_staff"), 1);
  EXPECT_EQ(FigureOf(line, "threshold"), 3);
  EXPECT_EQ(OutcomeFor(c, Direction::kConsulting), Eligibility::kIneligible);
  EXPECT_EQ(OutcomeFor(c, Direction::kTraining), Eligibility::kIneligible);

  f.staff.push_back(SeniorEngineer());
  EXPECT_EQ(FindLine(Compute(ValidCall(), f), "R5.3").result, LineResult::kPass);
}

TEST(EligibilityR53, YearsOfWorkAreCountedToTheClosingDate) {
  ApplicationFacts f = EligibleFacts();
  StaffMember bachelor;
  bachelor.resident_in_wenzhou = true;
  bachelor.degree = DegreeLevel::kBachelor;
  bachelor.degree_in_related_field = true;
  bachelor.work_started = absl::CivilDay(2021, 6, 30);
  f.staff = {SeniorEngineer(), SeniorEngineer(), bachelor};

  Call call = ValidCall();
  call.closing_date = absl::CivilDay(2026, 6, 30);
  EXPECT_EQ(FindLine(Compute(call, f), "R5.3").result, LineResult::kPass);
  call.closing_date = absl::CivilDay(2026, 6, 29);
  EXPECT_EQ(FindLine(Compute(call, f), "R5.3").result, LineResult::kFail);
}

// ---- R5.4 quality control ----

TEST(EligibilityR54, MissingAspectsFailAndAreNamed) {
  ApplicationFacts f = EligibleFacts();
  f.quality_control = {{QualityAspect::kStaff, "doc-1"},
                       {QualityAspect::kServiceStandards, "doc-3"},
                       {QualityAspect::kDeliverables, ""}};  // declared without a document
  Checklist c = Compute(ValidCall(), f);
  const ChecklistLine& line = FindLine(c, "R5.4");
  EXPECT_EQ(line.result, LineResult::kFail);
  EXPECT_THAT(line.reason_en, HasSubstr("SERVICE_PROCESS"));
  EXPECT_THAT(line.reason_en, HasSubstr("DELIVERABLES"));
  EXPECT_THAT(line.reason_en, Not(HasSubstr("SERVICE_STANDARDS")));
  EXPECT_THAT(line.reason_zh, HasSubstr("服务流程"));
  EXPECT_EQ(FigureOf(line, "aspects_covered"), 2);
  EXPECT_EQ(FigureOf(line, "aspects_required"), 4);
}

TEST(EligibilityR54, EachAspectIsRequired) {
  for (size_t drop = 0; drop < 4; ++drop) {
    ApplicationFacts f = EligibleFacts();
    f.quality_control.erase(f.quality_control.begin() + drop);
    EXPECT_EQ(FindLine(Compute(ValidCall(), f), "R5.4").result, LineResult::kFail) << drop;
  }
}

// ---- directions applied for ----

TEST(Eligibility, DirectionsAppliedForAreChecked) {
  ApplicationFacts f = EligibleFacts();
  f.directions = {};
  EXPECT_EQ(ComputeChecklist(ValidCall(), f).status().code(), absl::StatusCode::kInvalidArgument);

  f.directions = {Direction::kTraining, Direction::kTraining};
  absl::Status twice = ComputeChecklist(ValidCall(), f).status();
  ASSERT_EQ(ViolationsOf(twice).size(), 1u);
  EXPECT_EQ(ViolationsOf(twice)[0].field, "application.directions[1]");

  Call call = ValidCall();
  call.directions.pop_back();  // TRAINING not opened
  f.directions = {Direction::kTraining};
  absl::Status closed = ComputeChecklist(call, f).status();
  ASSERT_EQ(ViolationsOf(closed).size(), 1u);
  EXPECT_EQ(ViolationsOf(closed)[0].field, "application.directions[0]");
}

}  // namespace
}  // namespace zhigai::review
