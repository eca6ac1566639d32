#include "services/feedback/sanction_orders.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/dates.h"
#include "libs/wire/typed_time.h"
#include "zhigai/registry/v1/registry.pb.h"

namespace zhigai::feedback {
namespace {

// The registry accepts a source reference of at most 500 characters.
constexpr size_t kMaxReferencedComplaints = 12;

}  // namespace

std::vector<SanctionOrder> BarOrders(const std::string& institution,
                                     const std::vector<SeriousComplaint>& serious,
                                     const std::vector<core::SanctionRules>& rules,
                                     const std::vector<LiftedBar>& lifted) {
  std::vector<Complaint> complaints;
  complaints.reserve(serious.size());
  for (const auto& s : serious) {
    complaints.push_back(
        {s.complainant_credit_code, ComplaintOutcome::kVerifiedSerious, s.verified_on});
  }
  std::vector<SanctionOrder> orders;
  for (const BarDecision& decision : DecideBars(complaints, rules, lifted)) {
    // DecideBars decides a bar only under a version in force on its first day.
    const core::SanctionRules& terms = *core::SanctionRulesIn(rules, decision.start);
    std::vector<std::string> names;
    for (size_t i = 0; i < decision.counted.size() && i < kMaxReferencedComplaints; ++i) {
      names.push_back(absl::StrCat("complaints/", serious[decision.counted[i]].id));
    }
    SanctionOrder order;
    order.command_id = SanctionCommandId(institution, SanctionKind::kBar, decision.start);
    order.institution_credit_code = institution;
    order.kind = SanctionKind::kBar;
    order.start = decision.start;
    order.source_reference = absl::StrJoin(names, ",");
    order.reason =
        decision.trigger == BarTrigger::kDistinctEnterprises
            ? absl::StrCat("R14.5: complaints from ", terms.bar_distinct_enterprises,
                           " distinct enterprises verified as causing serious harm (",
                           terms.bar_distinct_enterprises, "家企业投诉经核实造成恶劣影响)")
            : absl::StrCat(
                  "R14.5: ", terms.bar_complaints_from_one_enterprise,
                  " complaints from one enterprise verified as causing serious harm (同一企业",
                  terms.bar_complaints_from_one_enterprise, "次投诉经核实造成恶劣影响)");
    if (terms.version > 1)
      absl::StrAppend(&order.reason, "; sanction rules version ", terms.version);
    orders.push_back(std::move(order));
  }
  return orders;
}

SanctionOrder CancellationOrder(const std::string& institution, absl::CivilDay finding_day,
                                const std::string& finding_name) {
  SanctionOrder order;
  order.command_id = SanctionCommandId(institution, SanctionKind::kCancellation, finding_day);
  order.institution_credit_code = institution;
  order.kind = SanctionKind::kCancellation;
  order.start = finding_day;
  order.source_reference = finding_name;
  order.reason = "R14.4: plagiarism or copying established (存在抄袭、复制等行为)";
  return order;
}

outbox::Command ToOutboxCommand(const SanctionOrder& order) {
  registry::v1::ImposeSanctionRequest request;
  request.set_command_id(order.command_id);
  request.set_credit_code(order.institution_credit_code);
  request.set_kind(order.kind == SanctionKind::kBar ? registry::v1::BAR : registry::v1::CANCEL);
  *request.mutable_start_date() = wire::ToDate(order.start);
  request.set_source_reference(order.source_reference);
  request.set_reason(order.reason);
  return {order.command_id, kRegistryPeer, kImposeSanctionMethod, request.SerializeAsString()};
}

}  // namespace zhigai::feedback
