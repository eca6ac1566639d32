#include "services/tracking/domain/engagement.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"
#include "services/tracking/domain/consulting_kind.h"

namespace zhigai::tracking {
namespace {

constexpr std::array<std::pair<EngagementState, absl::string_view>, 5> kNames = {{
    {EngagementState::kReported, "REPORTED"},
    {EngagementState::kInProgress, "IN_PROGRESS"},
    {EngagementState::kDelivered, "DELIVERED"},
    {EngagementState::kAccepted, "ACCEPTED"},
    {EngagementState::kCancelled, "CANCELLED"},
}};

// The one table of allowed engagement steps.
constexpr std::array<std::pair<EngagementState, EngagementState>, 5> kAllowed = {{
    {EngagementState::kReported, EngagementState::kInProgress},
    {EngagementState::kInProgress, EngagementState::kDelivered},
    {EngagementState::kDelivered, EngagementState::kAccepted},
    {EngagementState::kReported, EngagementState::kCancelled},
    {EngagementState::kInProgress, EngagementState::kCancelled},
}};

bool IsAllowed(EngagementState from, EngagementState to) {
  for (const auto& [allowed_from, allowed_to] : kAllowed) {
    if (allowed_from == from && allowed_to == to) return true;
  }
  return false;
}

}  // namespace

absl::string_view EngagementStateName(EngagementState state) {
  for (const auto& [value, name] : kNames) {
    if (value == state) return name;
  }
  return "UNKNOWN";
}

std::optional<EngagementState> ParseEngagementState(absl::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

absl::Status CheckEngagementTransition(EngagementState from, EngagementState to,
                                       absl::string_view cancel_reason) {
  if (!IsAllowed(from, to)) {
    return RuleViolation("ENGAGEMENT_TRANSITION_NOT_ALLOWED", "R12.1",
                         absl::StrCat("an engagement cannot go from ", EngagementStateName(from),
                                      " to ", EngagementStateName(to)),
                         absl::StrCat("服务状态不能从", EngagementStateName(from), "变更为",
                                      EngagementStateName(to)));
  }
  if (to == EngagementState::kCancelled && absl::StripAsciiWhitespace(cancel_reason).empty()) {
    return InvalidField("cancel_reason", "R12.1", "a cancelled engagement needs a reason",
                        "取消服务须说明原因");
  }
  return absl::OkStatus();
}

absl::Status ValidateEngagementReport(const EngagementReport& report) {
  Violations violations;
  if (!ParseConsultingKind(report.kind).has_value()) {
    violations.Add(
        "kind", "R3.1",
        absl::StrCat("kind must be DIAGNOSIS or SOLUTION_DESIGN, not '", report.kind, "'"));
  }
  if (report.planned_end < report.start) {
    violations.Add("planned_end", "R12.1",
                   absl::StrCat("planned_end ", absl::FormatCivilTime(report.planned_end),
                                " is before start ", absl::FormatCivilTime(report.start)));
  }
  if (report.confidential &&
      absl::StripAsciiWhitespace(report.confidentiality_agreement_document_id).empty()) {
    violations.Add("confidentiality_agreement_document_id", "R14.2",
                   "a confidential engagement needs its signed confidentiality agreement");
  }
  if (!violations.empty()) return violations.Finish("服务报备信息有误");

  if (!report.declares_no_product_push) {
    return RuleViolation("PRODUCT_PUSH_NOT_DECLARED", "R14.1",
                         "the institution must declare that it pushes no product on the "
                         "enterprise",
                         "服务机构须承诺不向企业强行推广产品或服务");
  }
  if (!report.declares_no_cost_to_enterprise) {
    return RuleViolation("COST_TO_ENTERPRISE_NOT_DECLARED", "R14.3",
                         "the institution must declare that it bears its own travel and "
                         "lodging and passes no cost to the enterprise",
                         "服务机构须承诺自行承担交通和食宿，不增加企业负担");
  }
  return absl::OkStatus();
}

}  // namespace zhigai::tracking
