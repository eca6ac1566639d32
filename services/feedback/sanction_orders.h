// The sanction commands feedback sends to the registry (R14.4, R14.5): what to order, decided
// by the domain, and its outbox form (a serialised zhigai.registry.v1.ImposeSanctionRequest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "libs/outbox/outbox.h"
#include "services/feedback/domain/complaint_bar.h"
#include "services/feedback/domain/sanction_command.h"

namespace zhigai::feedback {

inline constexpr char kRegistryPeer[] = "registry";
inline constexpr char kImposeSanctionMethod[] =
    "/zhigai.registry.v1.RegistryService/ImposeSanction";

struct SanctionOrder {
  std::string command_id;  // SanctionCommandId: deterministic, so re-deciding never doubles it
  std::string institution_credit_code;
  SanctionKind kind = SanctionKind::kBar;
  absl::CivilDay start;
  std::string source_reference;  // "complaints/3,complaints/7,..." or "plagiarismFindings/2"
  std::string reason;
};

// A complaint verified as serious (R14.5), as stored.
struct SeriousComplaint {
  int64_t id = 0;
  std::string complainant_credit_code;
  absl::CivilDay verified_on;
};

// Every bar the institution's serious complaints call for (DecideBars, R14.5 2026-12): each
// starts on the verification day of the complaint that reached the threshold within one
// calendar year, names the complaints it counted, and is ordered once (its command id names its
// first day). `lifted`: bars a bureau lifted, so that new complaints may bar again.
std::vector<SanctionOrder> BarOrders(const std::string& institution_credit_code,
                                     const std::vector<SeriousComplaint>& serious,
                                     const std::vector<core::SanctionRules>& rules,
                                     const std::vector<LiftedBar>& lifted = {});

// The cancellation for a plagiarism finding (R14.4), from the finding day.
SanctionOrder CancellationOrder(const std::string& institution_credit_code,
                                absl::CivilDay finding_day, const std::string& finding_name);

// The outbox command for the registry's ImposeSanction.
outbox::Command ToOutboxCommand(const SanctionOrder& order);

}  // namespace zhigai::feedback
