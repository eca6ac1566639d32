#pragma once

#include <string>

#include "libs/peers/registry_eligibility.h"
#include "services/training/calendar_source.h"
#include "services/training/domain/institution_standing.h"
#include "services/training/domain/training_rules.h"
#include "services/training/reference_data.h"
#include "services/training/store.h"
#include "zhigai/training/v1/training.grpc.pb.h"

namespace zhigai::training {

// Translates gRPC calls: who is calling, is the request well formed, may this caller do it,
// then the domain rules and the store; errors leave as gRPC codes with details.
class TrainingHandlers final : public v1::TrainingService::Service {
 public:
  // `eligibility` asks the registry whether an institution may run an event (R14.4, R14.5).
  // `rules`: every version of the training rules (LoadTrainingRules); it must outlive the
  // handlers.
  TrainingHandlers(TrainingStore& store, const ReferenceData& ref, CalendarSource& calendar,
                   const std::vector<TrainingRules>& rules, peers::EligibilityChecker& eligibility,
                   std::string internal_proof, Clock clock)
      : store_(store),
        ref_(ref),
        calendar_(calendar),
        rules_(rules),
        eligibility_(eligibility),
        proof_(std::move(internal_proof)),
        clock_(std::move(clock)) {}

  grpc::Status CreateEvent(grpc::ServerContext*, const v1::CreateEventRequest*,
                           v1::Event*) override;
  grpc::Status GetEvent(grpc::ServerContext*, const v1::GetEventRequest*, v1::Event*) override;
  grpc::Status UpdateEvent(grpc::ServerContext*, const v1::UpdateEventRequest*,
                           v1::Event*) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest*,
                          v1::ListEventsResponse*) override;
  grpc::Status SubmitEventForReview(grpc::ServerContext*, const v1::SubmitEventForReviewRequest*,
                                    v1::Event*) override;
  grpc::Status ReviewEvent(grpc::ServerContext*, const v1::ReviewEventRequest*,
                           v1::Event*) override;
  grpc::Status FileEvent(grpc::ServerContext*, const v1::FileEventRequest*, v1::Event*) override;
  grpc::Status RecordAttendance(grpc::ServerContext*, const v1::RecordAttendanceRequest*,
                                v1::Event*) override;
  grpc::Status RecordTraineeRatings(grpc::ServerContext*, const v1::RecordTraineeRatingsRequest*,
                                    v1::Event*) override;
  grpc::Status GetSubsidyReport(grpc::ServerContext*, const v1::GetSubsidyReportRequest*,
                                v1::SubsidyReport*) override;
  grpc::Status BatchGetInstitutionEvents(grpc::ServerContext*,
                                         const v1::BatchGetInstitutionEventsRequest*,
                                         v1::BatchGetInstitutionEventsResponse*) override;
  grpc::Status SetYearPolicy(grpc::ServerContext*, const v1::SetYearPolicyRequest*,
                             v1::YearPolicy*) override;
  grpc::Status GetYearPolicy(grpc::ServerContext*, const v1::GetYearPolicyRequest*,
                             v1::YearPolicy*) override;
  grpc::Status ReloadCalendar(grpc::ServerContext*, const v1::ReloadCalendarRequest*,
                              v1::CalendarInfo*) override;
  grpc::Status CreateTestSession(grpc::ServerContext*, const v1::CreateTestSessionRequest*,
                                 v1::TestSession*) override;
  grpc::Status RecordTestResult(grpc::ServerContext*, const v1::RecordTestResultRequest*,
                                v1::TestResult*) override;
  grpc::Status DecideAbsenceExcuse(grpc::ServerContext*, const v1::DecideAbsenceExcuseRequest*,
                                   v1::TestResult*) override;
  grpc::Status CloseTestSession(grpc::ServerContext*, const v1::CloseTestSessionRequest*,
                                v1::TestSession*) override;
  grpc::Status GetTestSession(grpc::ServerContext*, const v1::GetTestSessionRequest*,
                              v1::TestSession*) override;
  grpc::Status ListTestSessions(grpc::ServerContext*, const v1::ListTestSessionsRequest*,
                                v1::ListTestSessionsResponse*) override;
  grpc::Status ListTestResults(grpc::ServerContext*, const v1::ListTestResultsRequest*,
                               v1::ListTestResultsResponse*) override;
  grpc::Status BatchGetTestScores(grpc::ServerContext*, const v1::BatchGetTestScoresRequest*,
                                  v1::BatchGetTestScoresResponse*) override;
  grpc::Status CreateMeeting(grpc::ServerContext*, const v1::CreateMeetingRequest*,
                             v1::Meeting*) override;
  grpc::Status SubmitProblem(grpc::ServerContext*, const v1::SubmitProblemRequest*,
                             v1::Problem*) override;
  grpc::Status AnswerProblem(grpc::ServerContext*, const v1::AnswerProblemRequest*,
                             v1::Problem*) override;
  grpc::Status ListProblems(grpc::ServerContext*, const v1::ListProblemsRequest*,
                            v1::ListProblemsResponse*) override;
  grpc::Status GetMeetingReport(grpc::ServerContext*, const v1::GetMeetingReportRequest*,
                                v1::MeetingReport*) override;

 private:
  absl::CivilDay Today() const;
  // The institution's standing on the event's date in the event's division, as the registry
  // says (UNAVAILABLE when it cannot answer: nothing is decided without it).
  absl::StatusOr<InstitutionStanding> StandingOf(const v1::Event& event);
  // Sets the computed last_filing_day when the calendar can count it.
  void Decorate(const CalendarSnapshot& calendar, v1::Event* event) const;
  // Issue 26: the rules an event is judged under: the version it recorded, or (an event stored
  // before versions) the one in force on its date.
  absl::StatusOr<const TrainingRules*> RulesOf(const v1::Event& event, absl::CivilDay date) const;
  // Records on `event` the version in force on its (new) date.
  absl::Status RecordRuleVersion(v1::Event& event) const;

  TrainingStore& store_;
  const ReferenceData& ref_;
  CalendarSource& calendar_;
  const std::vector<TrainingRules>& rules_;
  peers::EligibilityChecker& eligibility_;
  std::string proof_;
  Clock clock_;
};

}  // namespace zhigai::training
