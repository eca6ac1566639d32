// Engagements an institution reports to the enterprise's bureau (R12.1): their life cycle and
// the report's checks (R14.1-R14.3).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace zhigai::tracking {

enum class EngagementState {
  kReported,    // 已报备
  kInProgress,  // 服务中
  kDelivered,   // 已交付
  kAccepted,    // 企业已验收
  kCancelled,   // 已取消 (with a reason)
};

// "REPORTED", "IN_PROGRESS", "DELIVERED", "ACCEPTED", "CANCELLED".
absl::string_view EngagementStateName(EngagementState state);
std::optional<EngagementState> ParseEngagementState(absl::string_view name);

// Allowed: REPORTED -> IN_PROGRESS -> DELIVERED -> ACCEPTED, and REPORTED or IN_PROGRESS ->
// CANCELLED with a non-blank `cancel_reason`. Anything else (skipping a step, going back,
// staying put, leaving ACCEPTED or CANCELLED) is FAILED_PRECONDITION, reason
// ENGAGEMENT_TRANSITION_NOT_ALLOWED, naming both states. An allowed cancellation without a
// reason is InvalidField("cancel_reason", "R12.1").
absl::Status CheckEngagementTransition(EngagementState from, EngagementState to,
                                       absl::string_view cancel_reason = {});

// What the institution reports (报备). `kind` carries the common.v1.ServiceKind name so that
// an unknown or training kind is reported here rather than by each handler.
struct EngagementReport {
  std::string kind;  // "DIAGNOSIS" or "SOLUTION_DESIGN"
  absl::CivilDay start;
  absl::CivilDay planned_end;
  bool declares_no_product_push = false;        // R14.1 不得强行推广产品
  bool declares_no_cost_to_enterprise = false;  // R14.3 不得增加企业负担
  bool confidential = false;                    // R14.2 涉及企业核心竞争力
  std::string confidentiality_agreement_document_id;
};

// Field checks first, all reported in one INVALID_ARGUMENT: "kind" (R3.1), "planned_end" before
// "start" (R12.1), "confidentiality_agreement_document_id" missing while confidential (R14.2).
// Then the declarations, each a FAILED_PRECONDITION citing its rule: reason
// PRODUCT_PUSH_NOT_DECLARED (R14.1), then COST_TO_ENTERPRISE_NOT_DECLARED (R14.3).
absl::Status ValidateEngagementReport(const EngagementReport& report);

}  // namespace zhigai::tracking
