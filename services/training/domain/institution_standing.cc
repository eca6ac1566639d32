#include "services/training/domain/institution_standing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"

namespace zhigai::training {
namespace {

// A sanction explains the rest (a barred institution is also out of the directory in effect).
const StandingReason& Leading(const InstitutionStanding& standing) {
  for (const StandingReason& r : standing.reasons) {
    if (r.reason == "BARRED" || r.reason == "CANCELLED") return r;
  }
  return standing.reasons.front();
}

std::string Listed(const InstitutionStanding& standing) {
  std::vector<std::string> parts;
  for (const StandingReason& r : standing.reasons) {
    parts.push_back(absl::StrCat(r.reason, " (", r.rule, "): ", r.message));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

RuleOutcome CheckInstitutionStanding(const InstitutionStanding& standing) {
  RuleOutcome out;
  out.check = "INSTITUTION_ELIGIBLE";
  if (standing.eligible || standing.reasons.empty()) {
    out.rule = "R14.5";
    out.status = RuleStatus::kPass;
    out.figures = {{"eligible", "true"}, {"reasons", ""}};
    out.english =
        "the institution may serve on the event's date: registered, in the "
        "directory for training, neither barred (R14.5) nor cancelled (R14.4)";
    out.chinese = "活动当日机构在名录内，未被禁入或取消资格（R14.4、R14.5）";
    return out;
  }
  const StandingReason& lead = Leading(standing);
  out.rule = lead.rule;
  out.status = RuleStatus::kFail;
  out.reason = lead.reason;
  out.figures = {
      {"eligible", "false"},
      {"reasons", absl::StrJoin(standing.reasons, ",", [](std::string* o, const StandingReason& r) {
         absl::StrAppend(o, r.reason);
       })}};
  out.english =
      absl::StrCat("the institution may not serve on the event's date: ", Listed(standing));
  out.chinese = absl::StrCat("活动当日机构不具备服务资格（", lead.rule, "）");
  return out;
}

absl::Status RequireStanding(const InstitutionStanding& standing, const std::string& credit_code,
                             const std::string& date) {
  if (standing.eligible) return absl::OkStatus();
  const RuleOutcome outcome = CheckInstitutionStanding(standing);
  return RuleViolation(
      "INSTITUTION_NOT_ELIGIBLE", outcome.rule,
      absl::StrCat("institution ", credit_code, " may not run an event on ", date, ": ",
                   Listed(standing)),
      absl::StrCat("机构 ", credit_code, " 在 ", date, " 不具备举办资格（", outcome.rule, "）"));
}

}  // namespace zhigai::training
