#include "services/review/domain/public_notice.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/errors.h"

namespace zhigai::review {
namespace {

bool Upheld(const Objection& o, const Selected& s) {
  return o.status == ObjectionStatus::kUpheld && o.application_id == s.application_id &&
         (!o.direction.has_value() || *o.direction == s.direction);
}

}  // namespace

absl::CivilDay NoticeEndDate(const PublicNotice& notice) {
  // Decision: calendar days, the start day counted as day 1.
  return notice.start + (std::max(notice.period_days, 1) - 1);
}

absl::Status CheckObjectionDate(const PublicNotice& notice, absl::CivilDay date) {
  const absl::CivilDay end = NoticeEndDate(notice);
  if (date < notice.start || date > end) {
    const std::string start_s = absl::FormatCivilTime(notice.start);
    const std::string end_s = absl::FormatCivilTime(end);
    return RuleViolation("OBJECTION_OUTSIDE_NOTICE_PERIOD", "R7.1",
                         absl::StrCat("objection filed on ", absl::FormatCivilTime(date),
                                      "; objections are taken from ", start_s, " to ", end_s,
                                      " (both days included)"),
                         absl::StrCat("异议须在公示期内提出：", start_s, " 至 ", end_s));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Selected>> AdmittedAfterNotice(
    const PublicNotice& notice, absl::CivilDay today, const std::vector<Selected>& selected,
    const std::vector<Objection>& objections) {
  const absl::CivilDay end = NoticeEndDate(notice);
  if (today <= end) {
    return RuleViolation(
        "NOTICE_PERIOD_NOT_OVER", "R7.1",
        absl::StrCat("the public notice runs until ", absl::FormatCivilTime(end),
                     " inclusive; results can be finalised from the next day"),
        absl::StrCat("公示期至 ", absl::FormatCivilTime(end), " 结束，尚不能公布结果"));
  }
  std::vector<std::string> pending;
  for (const Objection& o : objections) {
    if (o.status == ObjectionStatus::kPending) pending.push_back(o.id);
  }
  if (!pending.empty()) {
    return RuleViolation(
        "OBJECTIONS_PENDING", "R7.1",
        absl::StrCat("objections not yet resolved: ", absl::StrJoin(pending, ", ")),
        absl::StrCat("尚有异议未处理：", absl::StrJoin(pending, "、")));
  }
  std::vector<Selected> admitted;
  for (const Selected& s : selected) {
    const bool removed = std::any_of(objections.begin(), objections.end(),
                                     [&](const Objection& o) { return Upheld(o, s); });
    if (!removed) admitted.push_back(s);
  }
  return admitted;
}

}  // namespace zhigai::review
