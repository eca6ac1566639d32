#include "services/review/domain/call_state.h"

#include "absl/strings/str_cat.h"
#include "libs/core/errors.h"

namespace zhigai::review {

absl::string_view CallStateName(CallState state) {
  switch (state) {
    case CallState::kDraft:
      return "DRAFT";
    case CallState::kOpen:
      return "OPEN";
    case CallState::kClosed:
      return "CLOSED";
    case CallState::kReviewing:
      return "REVIEWING";
    case CallState::kNotice:
      return "NOTICE";
    case CallState::kFinished:
      return "FINISHED";
  }
  return "UNKNOWN";
}

bool CanTransition(CallState from, CallState to) {
  switch (from) {
    case CallState::kDraft:
      return to == CallState::kOpen;
    case CallState::kOpen:
      return to == CallState::kClosed;
    case CallState::kClosed:
      return to == CallState::kReviewing;
    case CallState::kReviewing:
      return to == CallState::kNotice;
    case CallState::kNotice:
      return to == CallState::kFinished;
    case CallState::kFinished:
      return false;
  }
  return false;
}

absl::StatusOr<Call> Transition(const Call& call, CallState to) {
  if (!CanTransition(call.state, to)) {
    return RuleViolation("INVALID_CALL_TRANSITION", "R4.1",
                         absl::StrCat("a call in state ", CallStateName(call.state),
                                      " cannot move to ", CallStateName(to)),
                         absl::StrCat("征集通知不能从 ", CallStateName(call.state), " 状态转为 ",
                                      CallStateName(to), " 状态"));
  }
  if (to == CallState::kOpen) {
    absl::Status valid = ValidateCall(call);
    if (!valid.ok()) return valid;
  }
  Call next = call;
  next.state = to;
  return next;
}

absl::Status CheckSubmissionWindow(const Call& call, absl::CivilDay date) {
  const std::string opening = absl::FormatCivilTime(call.opening_date);
  const std::string closing = absl::FormatCivilTime(call.closing_date);
  if (call.state != CallState::kOpen) {
    return RuleViolation(
        "CALL_NOT_OPEN", "R4.1",
        absl::StrCat("the call is ", CallStateName(call.state), ", not OPEN; applications are ",
                     "accepted from ", opening, " to ", closing),
        absl::StrCat("征集通知当前状态为 ", CallStateName(call.state), "，不接受申报"));
  }
  if (date < call.opening_date) {
    return RuleViolation(
        "SUBMISSION_TOO_EARLY", "R4.1",
        absl::StrCat("submitted on ", absl::FormatCivilTime(date), ", before the call opens on ",
                     opening, " (window ", opening, " to ", closing, ", both days included)"),
        absl::StrCat("申报时间未到：申报期为 ", opening, " 至 ", closing));
  }
  if (date > call.closing_date) {
    return RuleViolation(
        "SUBMISSION_TOO_LATE", "R4.1",
        absl::StrCat("submitted on ", absl::FormatCivilTime(date), ", after the call closed on ",
                     closing, " (window ", opening, " to ", closing, ", both days included)"),
        absl::StrCat("申报已截止：申报期为 ", opening, " 至 ", closing));
  }
  return absl::OkStatus();
}

}  // namespace zhigai::review
