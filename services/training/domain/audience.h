// R13.2 audience and fee. Except events for service institutions themselves, an event needs
// >= 50 participants, or >= 10 enterprises of one industry with >= 30 participants; a lecture
// or forum needs >= 100. No event may charge participants anything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/training/domain/event.h"
#include "services/training/domain/rule_outcome.h"
#include "services/training/domain/training_rules.h"

namespace zhigai::training {

// The attendance figures R13.2 judges.
struct AttendanceSummary {
  int64_t participants = 0;  // all people
  int64_t enterprises = 0;   // distinct enterprises
  // The industry that best meets the "10 enterprises of one industry" alternative: one that
  // meets it if any (lowest code first), else the one with most enterprises, then most people.
  std::string top_industry;
  int64_t top_industry_enterprises = 0;
  int64_t top_industry_participants = 0;  // people from that industry's enterprises
};

AttendanceSummary SummariseAttendance(const std::vector<AttendanceRow>& attendance,
                                      const TrainingRules& rules);

// Check "AUDIENCE": NOT_APPLICABLE for kForInstitutions; fails with TOO_FEW_PARTICIPANTS.
// The industry alternative reads the seed's "同产业企业10家30人以上" as: >= 10 enterprises of
// one industry and >= 30 people from those enterprises (people from other industries do not
// count towards the 30). It does not apply to lectures and forums, which need 100.
RuleOutcome CheckAudience(const TrainingEvent& event, const TrainingRules& rules);

// Check "NO_FEE": fails with FEE_CHARGED when fee_fen > 0. Applies to every event type.
RuleOutcome CheckNoFee(const TrainingEvent& event);

}  // namespace zhigai::training
