#include "services/registry/eligibility.h"

#include "absl/strings/str_cat.h"
#include "libs/core/dates.h"
#include "libs/core/sanction_terms.h"
#include "libs/wire/typed_time.h"

namespace zhigai::registry {

absl::CivilDay SanctionLastDay(v1::SanctionKind kind, absl::CivilDay start,
                               const core::SanctionRules& in_force) {
  // The one computation of both terms (libs/core/sanction_terms.h), shared with feedback.
  return kind == v1::CANCEL ? core::CancellationLastDay(start)
                            : core::BarLastDay(start, in_force.bar_years);
}

bool InForceOn(const SanctionFact& s, absl::CivilDay day) {
  if (day < s.start || day > s.last_day) return false;
  return !s.lifted || day < s.lifted_on;
}

common::v1::Direction DirectionFor(common::v1::ServiceKind kind) {
  return kind == common::v1::TRAINING_SERVICE ? common::v1::TRAINING : common::v1::CONSULTING;
}

namespace {
void Add(v1::Eligibility& out, v1::IneligibilityReason reason, const char* rule,
         std::string english, std::string chinese, std::string resource = "") {
  auto* d = out.add_reasons();
  d->set_reason(reason);
  d->set_rule(rule);
  d->set_message(std::move(english));
  d->set_message_zh(std::move(chinese));
  d->set_resource(std::move(resource));
}
}  // namespace

v1::Eligibility DecideEligibility(const v1::CheckEligibilityRequest& request, absl::CivilDay date,
                                  bool institution_known, const std::vector<EntryFact>& entries,
                                  const std::vector<SanctionFact>& sanctions) {
  v1::Eligibility out;
  out.set_credit_code(request.credit_code());
  out.set_service_kind(request.service_kind());
  *out.mutable_date() = wire::ToDate(date);
  if (!institution_known) {
    Add(out, v1::UNKNOWN_INSTITUTION, "R2.1", "no institution with this credit code is registered",
        "该统一社会信用代码未登记为服务机构");
    return out;
  }
  const auto direction = DirectionFor(request.service_kind());
  bool any_year = false, any_direction = false, suspended = false, removed = false;
  for (const auto& e : entries) {
    // A county directory covers its own division only (R4.2); without a division in the
    // request, a county entry still counts.
    if (e.level == common::v1::COUNTY && !request.division_code().empty() &&
        e.division_code != request.division_code()) {
      continue;
    }
    any_year = true;
    if (e.direction != direction) continue;
    any_direction = true;
    if (e.status == v1::ACTIVE) out.add_entries(e.name);
    if (e.status == v1::SUSPENDED) suspended = true;
    if (e.status == v1::REMOVED) removed = true;
  }
  const std::string year = absl::StrCat(date.year());
  if (!any_year) {
    Add(out, v1::NOT_IN_DIRECTORY, "R4.1",
        absl::StrCat("not in the ", year, " directory",
                     request.division_code().empty()
                         ? ""
                         : absl::StrCat(" covering division ", request.division_code())),
        absl::StrCat("未列入", year, "年度服务机构名录"));
  } else if (!any_direction) {
    Add(out, v1::DIRECTION_NOT_COVERED, "R3.1",
        absl::StrCat("the ", year, " directory entry does not cover the ",
                     common::v1::Direction_Name(direction), " direction"),
        "名录业务方向不含该服务");
  } else if (out.entries().empty()) {
    if (suspended) {
      Add(out, v1::ENTRY_SUSPENDED, "R4.1", "the directory entry is suspended", "名录资格已暂停");
    }
    if (removed) {
      Add(out, v1::ENTRY_REMOVED, "R4.1", "the directory entry was removed", "已移出名录");
    }
  }
  for (const auto& s : sanctions) {
    if (!InForceOn(s, date)) continue;
    if (s.kind == v1::BAR) {
      Add(out, v1::BARRED, "R14.5",
          absl::StrCat("barred from ", core::FormatDate(s.start), " to ",
                       core::FormatDate(s.last_day), " after verified complaints"),
          absl::StrCat("因投诉核实，", core::FormatDate(s.start), "至",
                       core::FormatDate(s.last_day), "禁止参与"),
          s.name);
    } else {
      Add(out, v1::CANCELLED, "R14.4",
          absl::StrCat("eligibility cancelled for the rest of ", s.start.year(),
                       " after plagiarism was established"),
          absl::StrCat("因抄袭剽窃，取消", s.start.year(), "年度剩余时间资格"), s.name);
    }
  }
  out.set_eligible(out.reasons().empty() && !out.entries().empty());
  return out;
}

}  // namespace zhigai::registry
