#include "services/training/wire.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/credit_code.h"
#include "libs/core/dates.h"
#include "libs/core/errors.h"
#include "libs/core/status_macros.h"
#include "libs/core/text.h"
#include "libs/wire/typed_time.h"

namespace zhigai::training {
namespace {

constexpr int kMaxIndustries = 10;
constexpr int kMaxSlides = 50;
constexpr int64_t kMaxAudience = 1000000;

EventType TypeOf(v1::EventType type) {
  switch (type) {
    case v1::LECTURE:
      return EventType::kLecture;
    case v1::FORUM:
      return EventType::kForum;
    case v1::FOR_INSTITUTIONS:
      return EventType::kForInstitutions;
    default:
      return EventType::kTraining;
  }
}

v1::RuleStatus ToProto(RuleStatus status) {
  switch (status) {
    case RuleStatus::kPass:
      return v1::PASS;
    case RuleStatus::kFail:
      return v1::FAIL;
    case RuleStatus::kNotApplicable:
      return v1::NOT_APPLICABLE;
  }
  return v1::RULE_STATUS_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<int> ParseClock(const google::type::TimeOfDay* time, absl::string_view field,
                               bool end) {
  const absl::Status bad =
      InvalidField(field, "FORMAT",
                   end ? "time must be HH:MM (00:00-24:00)" : "time must be HH:MM (00:00-23:59)",
                   "时间格式应为 HH:MM");
  if (time == nullptr) return bad;
  absl::StatusOr<int> minutes = wire::ParseMinutes(*time, field);
  if (!minutes.ok() || (*minutes == 24 * 60 && !end)) return bad;
  return minutes;
}

absl::Status ValidatePlan(const v1::Event& e, const ReferenceData& ref, absl::string_view prefix) {
  auto path = [&](absl::string_view field) { return absl::StrCat(prefix, field); };
  Violations v;
  v.Absorb(core::ValidateCreditCode(e.institution_credit_code(), path("institution_credit_code")));
  v.Absorb(core::ValidateLine(e.title(), path("title"), 1, 100, "FORMAT"));
  if (e.type() == v1::EVENT_TYPE_UNSPECIFIED || !v1::EventType_IsValid(e.type())) {
    v.Add(path("type"), "R13.2", "type must be TRAINING, LECTURE, FORUM or FOR_INSTITUTIONS");
  }
  v.Absorb(wire::ParseBusinessDate(e.date(), path("date")).status());
  auto start =
      ParseClock(e.has_start_time() ? &e.start_time() : nullptr, path("start_time"), false);
  auto end = ParseClock(e.has_end_time() ? &e.end_time() : nullptr, path("end_time"), true);
  v.Absorb(start.status());
  v.Absorb(end.status());
  if (start.ok() && end.ok() && *end <= *start) {
    v.Add(path("end_time"), "R13.1", "the event must end after it starts, on the same date");
  }
  v.Absorb(core::ValidateLine(e.venue(), path("venue"), 1, 200, "FORMAT"));
  v.Absorb(ref.divisions.ValidateCountyLevelDivision(e.division_code(), path("division_code")));
  if (e.industry_codes_size() > kMaxIndustries) {
    v.Add(path("industry_codes"), "R13.3", "at most 10 industries");
  }
  std::set<std::string> industries;
  for (int i = 0; i < e.industry_codes_size(); ++i) {
    const std::string field = path(absl::StrCat("industry_codes[", i, "]"));
    v.Absorb(ref.industries.ValidateCode(e.industry_codes(i), field));
    if (!industries.insert(e.industry_codes(i)).second) {
      v.Add(field, "R13.3", "an industry is listed twice");
    }
  }
  if (e.expected_audience() < 0 || e.expected_audience() > kMaxAudience) {
    v.Add(path("expected_audience"), "R13.2", "expected audience must be 0..1000000");
  }
  if (e.fee_fen() < 0) v.Add(path("fee_fen"), "R13.2", "the fee cannot be negative");
  v.Absorb(core::ValidateLine(e.plan_document(), path("plan_document"), 0, 200, "R13.4"));
  v.Absorb(core::ValidateLine(e.agenda_document(), path("agenda_document"), 0, 200, "R13.4"));
  if (e.slides_documents_size() > kMaxSlides) {
    v.Add(path("slides_documents"), "R13.4", "at most 50 slide documents");
  }
  for (int i = 0; i < e.slides_documents_size(); ++i) {
    v.Absorb(core::ValidateLine(e.slides_documents(i),
                                path(absl::StrCat("slides_documents[", i, "]")), 1, 200, "R13.4"));
  }
  v.Absorb(core::ValidateText(e.special_reason(), path("special_reason"), 0, 1000, "R13.1"));
  return v.Finish("培训活动信息有误");
}

absl::StatusOr<TrainingEvent> ToDomain(const v1::Event& e) {
  ASSIGN_OR_RETURN(auto date, wire::ParseDate(e.date(), "date"));
  auto start = ParseClock(e.has_start_time() ? &e.start_time() : nullptr, "start_time", false);
  if (!start.ok()) return start.status();
  auto end = ParseClock(e.has_end_time() ? &e.end_time() : nullptr, "end_time", true);
  if (!end.ok()) return end.status();
  TrainingEvent out;
  out.type = TypeOf(e.type());
  const absl::CivilMinute midnight(date);
  out.starts_at = midnight + *start;
  out.ends_at = midnight + *end;
  out.special_reason_approved = e.special_reason_approved();
  out.industry_codes.assign(e.industry_codes().begin(), e.industry_codes().end());
  out.fee_fen = e.fee_fen();
  out.county_review_approved = e.state() == v1::APPROVED || e.state() == v1::FILED;
  if (e.has_filed_on()) {
    auto filed = wire::ParseDate(e.filed_on(), "filed_on");
    if (!filed.ok()) return filed.status();
    out.filed_on = *filed;
  }
  for (const v1::Attendance& a : e.attendance()) {
    out.attendance.push_back({a.enterprise_credit_code(), a.industry_code(), a.people()});
  }
  out.ratings = {e.satisfied_ratings(), e.total_ratings()};
  return out;
}

v1::Verdict ToProto(Verdict verdict) {
  switch (verdict) {
    case Verdict::kEligible:
      return v1::ELIGIBLE;
    case Verdict::kNotEligible:
      return v1::NOT_ELIGIBLE;
    case Verdict::kNoSubsidyPolicy:
      return v1::NO_SUBSIDY_POLICY;
  }
  return v1::VERDICT_UNSPECIFIED;
}

void ToProto(const SubsidyReport& report, v1::SubsidyReport* out) {
  out->set_verdict(ToProto(report.verdict));
  *out->mutable_last_filing_day() = wire::ToDate(report.last_filing_day);
  out->set_rule_version(report.rule_version);
  for (const RuleOutcome& o : report.outcomes) {
    v1::RuleOutcome* p = out->add_outcomes();
    p->set_rule(o.rule);
    p->set_check(o.check);
    p->set_status(ToProto(o.status));
    p->set_reason(o.reason);
    for (const Figure& f : o.figures) {
      v1::Figure* fig = p->add_figures();
      fig->set_name(f.name);
      fig->set_value(f.value);
    }
    p->set_message(o.english);
    p->set_message_zh(o.chinese);
  }
  out->set_summary(report.english);
  out->set_summary_zh(report.chinese);
}

}  // namespace zhigai::training
