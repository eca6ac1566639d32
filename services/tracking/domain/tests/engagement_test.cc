#include "services/tracking/domain/engagement.h"

#include <set>
#include <utility>

#include "gtest/gtest.h"
#include "services/tracking/domain/tests/test_util.h"

namespace zhigai::tracking {
namespace {

using S = EngagementState;
using testing::FieldsOf;

constexpr S kAll[] = {S::kReported, S::kInProgress, S::kDelivered, S::kAccepted, S::kCancelled};

TEST(EngagementStateNameTest, RoundTripsEveryState) {
  for (S state : kAll) {
    auto parsed = ParseEngagementState(EngagementStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseEngagementState("DONE").has_value());
}

// Every one of the 25 (from, to) pairs: the five allowed steps pass, the rest are refused
// naming both states.
TEST(CheckEngagementTransitionTest, OnlyTheFiveStepsAreAllowed) {
  const std::set<std::pair<S, S>> allowed = {{S::kReported, S::kInProgress},
                                             {S::kInProgress, S::kDelivered},
                                             {S::kDelivered, S::kAccepted},
                                             {S::kReported, S::kCancelled},
                                             {S::kInProgress, S::kCancelled}};
  for (S from : kAll) {
    for (S to : kAll) {
      absl::Status status = CheckEngagementTransition(from, to, "企业暂停技改计划");
      const std::string step =
          std::string(EngagementStateName(from)) + " -> " + std::string(EngagementStateName(to));
      if (allowed.count({from, to})) {
        EXPECT_TRUE(status.ok()) << step << ": " << status;
        continue;
      }
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << step;
      EXPECT_EQ(ReasonOf(status), "ENGAGEMENT_TRANSITION_NOT_ALLOWED") << step;
      EXPECT_EQ(RuleOf(status), "R12.1");
      EXPECT_NE(status.message().find(EngagementStateName(from)), absl::string_view::npos);
      EXPECT_NE(status.message().find(std::string(" to ") + std::string(EngagementStateName(to))),
                absl::string_view::npos)
          << status.message();
      EXPECT_FALSE(ChineseOf(status).empty());
    }
  }
}

TEST(CheckEngagementTransitionTest, CancellingNeedsANonBlankReason) {
  for (S from : {S::kReported, S::kInProgress}) {
    for (absl::string_view reason : {"", "   ", "\t\n"}) {
      absl::Status status = CheckEngagementTransition(from, S::kCancelled, reason);
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"cancel_reason"});
    }
  }
}

TEST(CheckEngagementTransitionTest, AReasonDoesNotAllowCancellingADeliveredEngagement) {
  absl::Status status = CheckEngagementTransition(S::kDelivered, S::kCancelled, "changed mind");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
}

EngagementReport ValidReport() {
  EngagementReport report;
  report.kind = "DIAGNOSIS";
  report.start = absl::CivilDay(2026, 4, 1);
  report.planned_end = absl::CivilDay(2026, 6, 30);
  report.declares_no_product_push = true;
  report.declares_no_cost_to_enterprise = true;
  return report;
}

TEST(ValidateEngagementReportTest, AcceptsBothConsultingKinds) {
  EngagementReport report = ValidReport();
  EXPECT_TRUE(ValidateEngagementReport(report).ok());
  report.kind = "SOLUTION_DESIGN";
  EXPECT_TRUE(ValidateEngagementReport(report).ok());
}

TEST(ValidateEngagementReportTest, RefusesOtherKinds) {
  for (const char* kind : {"TRAINING_SERVICE", "", "SERVICE_KIND_UNSPECIFIED", "diagnosis"}) {
    EngagementReport report = ValidReport();
    report.kind = kind;
    absl::Status status = ValidateEngagementReport(report);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << kind;
    EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"kind"});
  }
}

TEST(ValidateEngagementReportTest, PlannedEndOnStartDayIsFineDayBeforeIsNot) {
  EngagementReport report = ValidReport();
  report.planned_end = report.start;
  EXPECT_TRUE(ValidateEngagementReport(report).ok());
  report.planned_end = report.start - 1;
  absl::Status status = ValidateEngagementReport(report);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldsOf(status), std::vector<std::string>{"planned_end"});
}

TEST(ValidateEngagementReportTest, ConfidentialNeedsAgreementDocument) {
  EngagementReport report = ValidReport();
  report.confidential = true;
  absl::Status status = ValidateEngagementReport(report);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto violations = ViolationsOf(status);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "confidentiality_agreement_document_id");
  EXPECT_EQ(violations[0].rule, "R14.2");

  report.confidentiality_agreement_document_id = "  ";
  EXPECT_EQ(ValidateEngagementReport(report).code(), absl::StatusCode::kInvalidArgument);
  report.confidentiality_agreement_document_id = "doc-7f3a";
  EXPECT_TRUE(ValidateEngagementReport(report).ok());
}

TEST(ValidateEngagementReportTest, NonConfidentialNeedsNoAgreement) {
  EngagementReport report = ValidReport();
  report.confidential = false;
  report.confidentiality_agreement_document_id.clear();
  EXPECT_TRUE(ValidateEngagementReport(report).ok());
}

TEST(ValidateEngagementReportTest, ReportsAllBadFieldsAtOnce) {
  EngagementReport report = ValidReport();
  report.kind = "TRAINING_SERVICE";
  report.planned_end = report.start - 10;
  report.confidential = true;
  absl::Status status = ValidateEngagementReport(report);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"kind", "planned_end",
                                                        "confidentiality_agreement_document_id"}));
}

TEST(ValidateEngagementReportTest, ProductPushDeclarationRequiredR141) {
  EngagementReport report = ValidReport();
  report.declares_no_product_push = false;
  absl::Status status = ValidateEngagementReport(report);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(status), "PRODUCT_PUSH_NOT_DECLARED");
  EXPECT_EQ(RuleOf(status), "R14.1");
  EXPECT_FALSE(ChineseOf(status).empty());
}

TEST(ValidateEngagementReportTest, NoCostDeclarationRequiredR143) {
  EngagementReport report = ValidReport();
  report.declares_no_cost_to_enterprise = false;
  absl::Status status = ValidateEngagementReport(report);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(status), "COST_TO_ENTERPRISE_NOT_DECLARED");
  EXPECT_EQ(RuleOf(status), "R14.3");
}

TEST(ValidateEngagementReportTest, BadFieldsAreReportedBeforeMissingDeclarations) {
  EngagementReport report = ValidReport();
  report.kind = "";
  report.declares_no_product_push = false;
  report.declares_no_cost_to_enterprise = false;
  EXPECT_EQ(ValidateEngagementReport(report).code(), absl::StatusCode::kInvalidArgument);
  report.kind = "DIAGNOSIS";
  EXPECT_EQ(RuleOf(ValidateEngagementReport(report)), "R14.1");
}

}  // namespace
}  // namespace zhigai::tracking
