#include "services/feedback/domain/complaint_bar.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>
#include <vector>

#include "libs/core/sanction_terms.h"

namespace zhigai::feedback {
namespace {

constexpr std::array<std::pair<ComplaintOutcome, absl::string_view>, 4> kNames = {{
    {ComplaintOutcome::kPending, "PENDING"},
    {ComplaintOutcome::kVerifiedSerious, "VERIFIED_SERIOUS"},
    {ComplaintOutcome::kVerifiedNotSerious, "VERIFIED_NOT_SERIOUS"},
    {ComplaintOutcome::kRejected, "REJECTED"},
}};

}  // namespace

absl::string_view ComplaintOutcomeName(ComplaintOutcome outcome) {
  for (const auto& [value, name] : kNames) {
    if (value == outcome) return name;
  }
  return "UNKNOWN";
}

std::optional<ComplaintOutcome> ParseComplaintOutcome(absl::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool CountsTowardsBar(ComplaintOutcome outcome) {
  // R14.5 Decision: only complaints verified by a bureau (as serious) count.
  return outcome == ComplaintOutcome::kVerifiedSerious;
}

std::vector<BarDecision> DecideBars(absl::Span<const Complaint> complaints,
                                    const std::vector<core::SanctionRules>& rules,
                                    absl::Span<const LiftedBar> lifted) {
  std::vector<size_t> qualifying;
  for (size_t i = 0; i < complaints.size(); ++i) {
    if (CountsTowardsBar(complaints[i].outcome)) qualifying.push_back(i);
  }
  std::sort(qualifying.begin(), qualifying.end(), [&](size_t a, size_t b) {
    const Complaint& x = complaints[a];
    const Complaint& y = complaints[b];
    if (x.verified_on != y.verified_on) return x.verified_on < y.verified_on;
    if (x.complainant_credit_code != y.complainant_credit_code) {
      return x.complainant_credit_code < y.complainant_credit_code;
    }
    return a < b;
  });
  auto in_force = [&](const BarDecision& bar, absl::CivilDay day) {
    if (!(bar.start <= day && day < bar.end)) return false;
    for (const LiftedBar& l : lifted) {
      if (l.start == bar.start && l.lifted_on <= day) return false;
    }
    return true;
  };

  std::vector<BarDecision> bars;
  std::vector<size_t> pending;  // counting toward the next bar, all verified in one year
  std::map<absl::string_view, int> per_enterprise;
  for (size_t index : qualifying) {
    const Complaint& complaint = complaints[index];
    const core::SanctionRules* terms = core::SanctionRulesIn(rules, complaint.verified_on);
    if (terms == nullptr) continue;
    if (!bars.empty() && in_force(bars.back(), complaint.verified_on)) continue;
    if (!pending.empty() &&
        complaints[pending.front()].verified_on.year() != complaint.verified_on.year()) {
      pending.clear();  // a new calendar year: earlier complaints no longer combine
      per_enterprise.clear();
    }
    pending.push_back(index);
    const int from_this = ++per_enterprise[complaint.complainant_credit_code];
    BarTrigger trigger = BarTrigger::kNone;
    if (static_cast<int>(per_enterprise.size()) >= terms->bar_distinct_enterprises) {
      trigger = BarTrigger::kDistinctEnterprises;
    } else if (from_this >= terms->bar_complaints_from_one_enterprise) {
      trigger = BarTrigger::kRepeatedEnterprise;
    }
    if (trigger == BarTrigger::kNone) continue;
    BarDecision bar;
    bar.barred = true;
    bar.trigger = trigger;
    bar.start = complaint.verified_on;
    bar.end = BarEnd(bar.start, *terms);
    bar.rule_version = terms->version;
    bar.counted = pending;
    bar.qualifying_complaints = static_cast<int>(pending.size());
    bar.distinct_enterprises = static_cast<int>(per_enterprise.size());
    bars.push_back(std::move(bar));
    pending.clear();  // each complaint counts toward at most one bar
    per_enterprise.clear();
  }
  return bars;
}

BarDecision DecideBar(absl::Span<const Complaint> complaints,
                      const std::vector<core::SanctionRules>& rules) {
  std::vector<BarDecision> bars = DecideBars(complaints, rules);
  BarDecision decision = bars.empty() ? BarDecision{} : bars.front();
  std::map<absl::string_view, int> per_enterprise;
  int qualifying = 0;
  for (const Complaint& c : complaints) {
    if (!CountsTowardsBar(c.outcome)) continue;
    ++qualifying;
    ++per_enterprise[c.complainant_credit_code];
  }
  decision.qualifying_complaints = qualifying;
  decision.distinct_enterprises = static_cast<int>(per_enterprise.size());
  return decision;
}

absl::CivilDay BarEnd(absl::CivilDay start, const core::SanctionRules& in_force) {
  return core::BarFirstFreeDay(start, in_force.bar_years);
}

bool IsBarredOn(absl::CivilDay start, absl::CivilDay day,
                const std::vector<core::SanctionRules>& rules) {
  const core::SanctionRules* terms = core::SanctionRulesIn(rules, start);
  return terms != nullptr && start <= day && day < BarEnd(start, *terms);
}

}  // namespace zhigai::feedback
