#include "services/feedback/domain/complaint_bar.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>
#include <vector>

namespace zhigai::feedback {
namespace {

// R14.5: three distinct enterprises, or three complaints from one, bar for three years.
constexpr int kBarComplaints = 3;
constexpr int kBarYears = 3;

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

BarDecision DecideBar(absl::Span<const Complaint> complaints) {
  std::vector<const Complaint*> qualifying;
  for (const auto& complaint : complaints) {
    if (CountsTowardsBar(complaint.outcome)) qualifying.push_back(&complaint);
  }
  std::sort(qualifying.begin(), qualifying.end(), [](const Complaint* a, const Complaint* b) {
    if (a->verified_on != b->verified_on) return a->verified_on < b->verified_on;
    return a->complainant_credit_code < b->complainant_credit_code;
  });

  BarDecision decision;
  std::map<absl::string_view, int> per_enterprise;
  for (const Complaint* complaint : qualifying) {
    const int from_this = ++per_enterprise[complaint->complainant_credit_code];
    if (decision.barred) continue;
    BarTrigger trigger = BarTrigger::kNone;
    if (static_cast<int>(per_enterprise.size()) >= kBarComplaints) {
      trigger = BarTrigger::kDistinctEnterprises;
    } else if (from_this >= kBarComplaints) {
      trigger = BarTrigger::kRepeatedEnterprise;
    }
    if (trigger != BarTrigger::kNone) {
      decision.barred = true;
      decision.trigger = trigger;
      decision.start = complaint->verified_on;
      decision.end = BarEnd(decision.start);
    }
  }
  decision.qualifying_complaints = static_cast<int>(qualifying.size());
  decision.distinct_enterprises = static_cast<int>(per_enterprise.size());
  return decision;
}

absl::CivilDay BarEnd(absl::CivilDay start) {
  // Constructing from fields normalises 29 Feb of a non-leap year to 1 March.
  return absl::CivilDay(start.year() + kBarYears, start.month(), start.day());
}

bool IsBarredOn(absl::CivilDay start, absl::CivilDay day) {
  return start <= day && day < BarEnd(start);
}

}  // namespace zhigai::feedback
