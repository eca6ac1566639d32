#include "services/tracking/domain/need.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::tracking {
namespace {

constexpr std::array<std::pair<NeedState, absl::string_view>, 4> kNeedNames = {{
    {NeedState::kOpen, "OPEN"},
    {NeedState::kAssigned, "ASSIGNED"},
    {NeedState::kServed, "SERVED"},
    {NeedState::kClosed, "CLOSED"},
}};

constexpr std::array<std::pair<AssignmentState, absl::string_view>, 3> kAssignmentNames = {{
    {AssignmentState::kPending, "PENDING"},
    {AssignmentState::kAccepted, "ACCEPTED"},
    {AssignmentState::kDeclined, "DECLINED"},
}};

// The one table of allowed need steps.
constexpr std::array<std::pair<NeedState, NeedState>, 6> kAllowed = {{
    {NeedState::kOpen, NeedState::kAssigned},
    {NeedState::kAssigned, NeedState::kServed},
    {NeedState::kAssigned, NeedState::kOpen},
    {NeedState::kOpen, NeedState::kServed},
    {NeedState::kServed, NeedState::kOpen},
    {NeedState::kOpen, NeedState::kClosed},
}};

template <typename Enum, std::size_t N>
absl::string_view NameIn(const std::array<std::pair<Enum, absl::string_view>, N>& table,
                         Enum value) {
  for (const auto& [known, name] : table) {
    if (known == value) return name;
  }
  return "UNKNOWN";
}

template <typename Enum, std::size_t N>
std::optional<Enum> ParseIn(const std::array<std::pair<Enum, absl::string_view>, N>& table,
                            absl::string_view name) {
  for (const auto& [value, known] : table) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace

absl::string_view NeedStateName(NeedState state) { return NameIn(kNeedNames, state); }
std::optional<NeedState> ParseNeedState(absl::string_view name) {
  return ParseIn(kNeedNames, name);
}
absl::string_view AssignmentStateName(AssignmentState state) {
  return NameIn(kAssignmentNames, state);
}
std::optional<AssignmentState> ParseAssignmentState(absl::string_view name) {
  return ParseIn(kAssignmentNames, name);
}

absl::Status CheckNeedTransition(NeedState from, NeedState to) {
  for (const auto& [allowed_from, allowed_to] : kAllowed) {
    if (allowed_from == from && allowed_to == to) return absl::OkStatus();
  }
  return RuleViolation(
      "NEED_TRANSITION_NOT_ALLOWED", "R12.2",
      absl::StrCat("a need cannot go from ", NeedStateName(from), " to ", NeedStateName(to)),
      absl::StrCat("需求状态不能从", NeedStateName(from), "变更为", NeedStateName(to)));
}

absl::Status CheckCanAssign(NeedState need) {
  if (need == NeedState::kOpen) return absl::OkStatus();
  return RuleViolation(
      "NEED_NOT_OPEN", "R12.2",
      absl::StrCat("only an unserved (OPEN) need can be assigned; this one is ",
                   NeedStateName(need)),
      absl::StrCat("只有尚未对接服务的需求可以统筹调配，当前状态为", NeedStateName(need)));
}

absl::StatusOr<AssignmentResult> RespondToAssignment(const AssignmentFacts& facts,
                                                     absl::string_view caller_institution_code,
                                                     AssignmentResponse response,
                                                     absl::string_view decline_reason) {
  if (caller_institution_code.empty() || caller_institution_code != facts.institution_credit_code) {
    return Error(absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED_INSTITUTION",
                 "only the institution the need was assigned to may answer (R12.2)",
                 "只有被调配的服务机构可以答复", "R12.2");
  }
  if (facts.assignment != AssignmentState::kPending) {
    return RuleViolation(
        "ASSIGNMENT_ALREADY_ANSWERED", "R12.2",
        absl::StrCat("the assignment is already ", AssignmentStateName(facts.assignment)),
        absl::StrCat("该调配已答复：", AssignmentStateName(facts.assignment)));
  }
  if (facts.need != NeedState::kAssigned) {
    return RuleViolation("NEED_NOT_ASSIGNED", "R12.2",
                         absl::StrCat("the need is ", NeedStateName(facts.need), ", not ASSIGNED"),
                         absl::StrCat("需求当前状态为", NeedStateName(facts.need), "，不在调配中"));
  }
  if (response == AssignmentResponse::kAccept) {
    return AssignmentResult{NeedState::kServed, AssignmentState::kAccepted};
  }
  if (absl::StripAsciiWhitespace(decline_reason).empty()) {
    return InvalidField("decline_reason", "R12.2", "declining an assignment needs a reason",
                        "拒绝调配须说明原因");
  }
  return AssignmentResult{NeedState::kOpen, AssignmentState::kDeclined};
}

}  // namespace zhigai::tracking
